/**
 * @module
 * When an alert is worth sending. Pure functions: state in, decision and new state out; time is
 * the alert's own `createdAt`, never the clock.
 *
 * - `applyCooldown`: one shift makes every run of a detector fire. Per tenant, stream and
 *   detector, the first alert goes out and the rest are suppressed and counted until the cooldown
 *   has passed, unless one is more severe than the last sent (escalations always go out).
 * - `consecutive` / `psiPersists`: conditions over recent runs, such as "PSI ≥ 0.1 on the same
 *   dimension for 2 consecutive runs", so a single noisy batch does not page anyone.
 */
import { FacedriftError } from "../errors.ts";
import type { AlertEvent, AlertSeverity } from "./types.ts";

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export interface CooldownEntry {
  /** `createdAt` of the last alert sent, in ms since the epoch. */
  lastSentAt: number;
  lastSeverity: AlertSeverity;
  /** Alerts suppressed since the last one sent. */
  suppressed: number;
}

/** Keyed by `cooldownKey`; JSON-serialisable so it can be checkpointed. */
export type CooldownState = Readonly<Record<string, CooldownEntry>>;

export interface CooldownDecision {
  send: boolean;
  state: CooldownState;
  /** When sending: how many similar alerts were suppressed before this one (to mention it). */
  suppressedBefore: number;
}

type CooldownAlert = Pick<AlertEvent, "tenantId" | "stream" | "detector" | "severity" | "createdAt">;

export function cooldownKey(alert: Pick<AlertEvent, "tenantId" | "stream" | "detector">): string {
  return JSON.stringify([alert.tenantId, alert.stream, alert.detector]);
}

/**
 * @example
 * ```ts
 * let state: CooldownState = {};
 * const first = applyCooldown(state, alert, 3_600_000); // first.send === true
 * state = first.state;
 * applyCooldown(state, sameShiftTenMinutesLater, 3_600_000).send; // false, counted
 * ```
 */
export function applyCooldown(
  state: CooldownState,
  alert: CooldownAlert,
  cooldownMs: number,
): CooldownDecision {
  if (!(cooldownMs >= 0)) {
    throw new FacedriftError("invalid_request", "cooldownMs must be a non-negative number", {
      field: "cooldownMs",
    });
  }
  const key = cooldownKey(alert);
  const at = alert.createdAt.getTime();
  const previous = state[key];
  const expired = previous === undefined || at - previous.lastSentAt >= cooldownMs;
  const escalates =
    previous !== undefined && SEVERITY_RANK[alert.severity] > SEVERITY_RANK[previous.lastSeverity];
  if (expired || escalates) {
    return {
      send: true,
      suppressedBefore: previous?.suppressed ?? 0,
      state: { ...state, [key]: { lastSentAt: at, lastSeverity: alert.severity, suppressed: 0 } },
    };
  }
  return {
    send: false,
    suppressedBefore: 0,
    state: { ...state, [key]: { ...previous, suppressed: previous.suppressed + 1 } },
  };
}

/**
 * True when the last `runs` entries of `history` (oldest first) all satisfy `predicate`; false
 * when there are fewer than `runs` entries.
 */
export function consecutive<T>(history: readonly T[], runs: number, predicate: (run: T) => boolean): boolean {
  checkRuns(runs);
  return history.length >= runs && history.slice(-runs).every(predicate);
}

export interface PsiRun {
  /** PSI per dimension, in dimension order. */
  psi: readonly number[];
}

export interface PsiPersistence {
  fires: boolean;
  /** Dimensions at or above the threshold in each of the last `runs` runs, ascending. */
  dimensions: number[];
}

/** "PSI ≥ `threshold` on the same dimension for `runs` consecutive runs" (defaults 0.1 and 2). */
export function psiPersists(
  history: readonly PsiRun[],
  { threshold = 0.1, runs = 2 }: { threshold?: number; runs?: number } = {},
): PsiPersistence {
  checkRuns(runs);
  if (!Number.isFinite(threshold)) {
    throw new FacedriftError("invalid_request", "threshold must be a finite number", { field: "threshold" });
  }
  if (history.length < runs) return { fires: false, dimensions: [] };
  const recent = history.slice(-runs);
  const width = Math.min(...recent.map((run) => run.psi.length));
  const dimensions: number[] = [];
  for (let dim = 0; dim < width; dim++) {
    if (recent.every((run) => run.psi[dim]! >= threshold)) dimensions.push(dim);
  }
  return { fires: dimensions.length > 0, dimensions };
}

function checkRuns(runs: number): void {
  if (!Number.isInteger(runs) || runs < 1) {
    throw new FacedriftError("invalid_request", "runs must be an integer ≥ 1", { field: "runs" });
  }
}
