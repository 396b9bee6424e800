/**
 * @module
 * A stream's operating settings as the dashboard edits them: the cron of its scheduled batch
 * check (`streams.check_schedule`), the batch window, its retention, and its alert rules, the
 * latter three kept in `streams.settings` next to whatever else detectors store there. Defaults
 * are those the detectors fall back to, so an untouched stream shows what actually runs.
 */
import { Cron } from "croner";
import { DEFAULT_WINDOW_SIZE } from "../../batch/run.ts";
import { FacedriftError } from "../../errors.ts";

export interface AlertRules {
  /** Per detector: after an alert is sent, similar ones are recorded but not sent for this long. */
  cooldownMinutes: number;
  /** "PSI ≥ `psiThreshold` on the same dimension for `psiRuns` consecutive runs" (`alerts/rules.ts`). */
  psiThreshold: number;
  psiRuns: number;
}

export interface StreamSettings {
  /** Cron (UTC) of the scheduled batch check; null: not scheduled. */
  schedule: string | null;
  /** Embeddings in each batch check's window (`settings.windowSize`). */
  windowSize: number;
  /** Days kept before archiving (`settings.retentionDays`); null: the server's default. */
  retentionDays: number | null;
  alertRules: AlertRules;
}

export const DEFAULT_ALERT_RULES: AlertRules = { cooldownMinutes: 360, psiThreshold: 0.1, psiRuns: 2 };

/** The settings view of a stream row; unset or malformed stored values read as their defaults. */
export function toStreamSettings(
  checkSchedule: string | null,
  stored: Record<string, unknown>,
): StreamSettings {
  const rules = (isRecord(stored.alertRules) ? stored.alertRules : {}) as Partial<AlertRules>;
  return {
    schedule: checkSchedule,
    windowSize: positiveInteger(stored.windowSize) ?? DEFAULT_WINDOW_SIZE,
    retentionDays: positiveInteger(stored.retentionDays) ?? null,
    alertRules: {
      cooldownMinutes: nonNegativeNumber(rules.cooldownMinutes) ?? DEFAULT_ALERT_RULES.cooldownMinutes,
      psiThreshold: nonNegativeNumber(rules.psiThreshold) ?? DEFAULT_ALERT_RULES.psiThreshold,
      psiRuns: positiveInteger(rules.psiRuns) ?? DEFAULT_ALERT_RULES.psiRuns,
    },
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

function nonNegativeNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
