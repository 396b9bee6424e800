/**
 * @module
 * A stream's operating settings as the dashboard edits them: the cron of its scheduled batch
 * check (`streams.check_schedule`), and in `streams.settings` (next to whatever else detectors
 * store there) the batch window, retention and alert rules. A null value means "not set here":
 * the detector's or the server's own default applies, so nothing is duplicated from them.
 */
import type { PsiBinning } from "@facedrift/stats";
import { Cron } from "croner";
import { ALERT_SEVERITIES, type AlertSeverity } from "../../db/schema/alert.ts";
import { FacedriftError } from "../../errors.ts";

/** Hours without a new finding after which an incident resolves itself (`incidents/calm.ts`). */
export const DEFAULT_CALM_MINUTES = 6 * 60;
/** The least incident severity channels hear of: population changes (info) stay on the dashboard. */
export const DEFAULT_NOTIFY_FROM: AlertSeverity = "warning";

/** "PSI ≥ `threshold` on the same dimension for `runs` consecutive runs" (`alerts/rules.ts`). */
export interface PsiPersistence {
  threshold: number;
  runs: number;
}

export interface AlertRules {
  /**
   * Minutes without a new finding after which the stream's incident resolves itself; null: the
   * default (`DEFAULT_CALM_MINUTES`). Settings from before incidents named this `cooldownMinutes`
   * (minutes between alerts of one detector), which is read as the calm period.
   */
  calmMinutes: number | null;
  /** The least incident severity that notifies channels; null: `DEFAULT_NOTIFY_FROM`. */
  notifyFrom: AlertSeverity | null;
  /** An extra condition before a confirmed drift raises a batch alert; null: none. */
  psiPersistence: PsiPersistence | null;
}

/**
 * How a reference version bins each component for PSI, fixed when it is fitted: `deciles` (the
 * default; 10 quantile bins) or `uniform-50` (50 equal-width bins over the reference's range, the
 * design's histogram; PSI then flags only on windows of ≥ 2,723 embeddings, `psiMinRowsFor`).
 */
export const PSI_BIN_SETTINGS = ["deciles", "uniform-50"] as const;
export type PsiBinSetting = (typeof PSI_BIN_SETTINGS)[number];

export function psiBinningOf(setting: PsiBinSetting | null): PsiBinning {
  return setting === "uniform-50" ? { kind: "uniform", bins: 50 } : { kind: "quantile", bins: 10 };
}

/**
 * Which batch-check profile runs (docs/who-vs-how.md): `recommended` (the default) runs the MMD
 * person-permutation test on every check; `seed` is the design's first rule — MMD only when PSI or
 * KS flag a component (and on the weekly run), confirmed against the reference's calibrated
 * threshold.
 */
export const CHECK_PROFILES = ["recommended", "seed"] as const;
export type CheckProfile = (typeof CHECK_PROFILES)[number];

export interface StreamSettings {
  /** Cron (UTC) of the scheduled batch check; null: not scheduled. */
  schedule: string | null;
  /** Embeddings in each batch check's window (`settings.windowSize`); null: the detector's default. */
  windowSize: number | null;
  /** Days kept before archiving (`settings.retentionDays`); null: the server's default. */
  retentionDays: number | null;
  /** PSI bins of the next reference fit (`settings.psiBins`); null: deciles. */
  psiBins: PsiBinSetting | null;
  /** The batch check's profile (`settings.checkProfile`); null: `recommended`. */
  checkProfile: CheckProfile | null;
  alertRules: AlertRules;
}

/** The alert rules stored in `streams.settings`; malformed values read as unset. */
export function alertRulesOf(stored: Record<string, unknown>): AlertRules {
  const rules = isRecord(stored.alertRules) ? stored.alertRules : {};
  const persistence = isRecord(rules.psiPersistence) ? rules.psiPersistence : null;
  const threshold = positiveNumber(persistence?.threshold);
  const runs = positiveInteger(persistence?.runs);
  const notifyFrom = ALERT_SEVERITIES.find((severity) => severity === rules.notifyFrom);
  return {
    calmMinutes: nonNegativeInteger(rules.calmMinutes) ?? nonNegativeInteger(rules.cooldownMinutes) ?? null,
    notifyFrom: notifyFrom ?? null,
    psiPersistence: threshold !== undefined && runs !== undefined ? { threshold, runs } : null,
  };
}

/** The calm period and notify threshold in force for a stream: its own, else the defaults. */
export function incidentRulesOf(stored: Record<string, unknown>): {
  calmMs: number;
  notifyFrom: AlertSeverity;
} {
  const rules = alertRulesOf(stored);
  return {
    calmMs: (rules.calmMinutes ?? DEFAULT_CALM_MINUTES) * 60_000,
    notifyFrom: rules.notifyFrom ?? DEFAULT_NOTIFY_FROM,
  };
}

/** The settings view of a stream row. */
export function toStreamSettings(
  checkSchedule: string | null,
  stored: Record<string, unknown>,
): StreamSettings {
  return {
    schedule: checkSchedule,
    windowSize: positiveInteger(stored.windowSize) ?? null,
    retentionDays: positiveInteger(stored.retentionDays) ?? null,
    psiBins: PSI_BIN_SETTINGS.find((b) => b === stored.psiBins) ?? null,
    checkProfile: CHECK_PROFILES.find((c) => c === stored.checkProfile) ?? null,
    alertRules: alertRulesOf(stored),
  };
}

/**
 * Refuses a cron the scheduler could not run, naming `schedule`. croner parses it exactly as the
 * scheduler will (UTC), so what is accepted here is what runs.
 */
export function checkSchedule(pattern: string): void {
  try {
    const cron = new Cron(pattern, { timezone: "UTC", paused: true });
    if (!cron.nextRun()) throw new Error("it never fires");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FacedriftError("invalid_request", `schedule: not a cron the scheduler can run (${reason})`, {
      field: "schedule",
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}
