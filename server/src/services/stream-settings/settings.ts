/**
 * @module
 * A stream's operating settings as the dashboard edits them: the cron of its scheduled batch
 * check (`streams.check_schedule`), and in `streams.settings` (next to whatever else detectors
 * store there) the batch window, retention and alert rules. A null value means "not set here":
 * the detector's or the server's own default applies, so nothing is duplicated from them.
 */
import { Cron } from "croner";
import { FacedriftError } from "../../errors.ts";

/** "PSI ≥ `threshold` on the same dimension for `runs` consecutive runs" (`alerts/rules.ts`). */
export interface PsiPersistence {
  threshold: number;
  runs: number;
}

export interface AlertRules {
  /** Minutes between batch alerts of the stream (the rest are recorded, not sent); null: default. */
  cooldownMinutes: number | null;
  /** An extra condition before a confirmed drift raises a batch alert; null: none. */
  psiPersistence: PsiPersistence | null;
}

export interface StreamSettings {
  /** Cron (UTC) of the scheduled batch check; null: not scheduled. */
  schedule: string | null;
  /** Embeddings in each batch check's window (`settings.windowSize`); null: the detector's default. */
  windowSize: number | null;
  /** Days kept before archiving (`settings.retentionDays`); null: the server's default. */
  retentionDays: number | null;
  alertRules: AlertRules;
}

/** The alert rules stored in `streams.settings`; malformed values read as unset. */
export function alertRulesOf(stored: Record<string, unknown>): AlertRules {
  const rules = isRecord(stored.alertRules) ? stored.alertRules : {};
  const persistence = isRecord(rules.psiPersistence) ? rules.psiPersistence : null;
  const threshold = positiveNumber(persistence?.threshold);
  const runs = positiveInteger(persistence?.runs);
  return {
    cooldownMinutes: nonNegativeInteger(rules.cooldownMinutes) ?? null,
    psiPersistence: threshold !== undefined && runs !== undefined ? { threshold, runs } : null,
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
