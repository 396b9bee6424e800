/**
 * @module
 * Conditions over recent runs before a confirmed drift raises a batch finding, such as "PSI ≥ 0.1
 * on the same dimension for 2 consecutive runs", so a single noisy batch does not page anyone.
 * Pure functions. (Which findings notify is decided by their incident: `incidents/severity.ts`;
 * the per-detector cooldown that came before incidents is gone, so nothing can hide a more
 * severe finding.)
 */
import { FacedriftError } from "../errors.ts";

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
