/**
 * Multiple-testing corrections for one p-value per dimension, matching statsmodels
 * `multipletests(method="bonferroni" | "fdr_bh")` adjusted p-values.
 *
 * @module
 */

/**
 * Bonferroni: min(1, p·m) for m tests; controls the family-wise error rate.
 *
 * @example
 * bonferroni([0.01, 0.04, 0.5]); // [0.03, 0.12, 1]
 */
export function bonferroni(pvalues: ArrayLike<number>): number[] {
  const m = checkedLength(pvalues);
  return Array.from(pvalues, (p) => Math.min(1, p * m));
}

/**
 * Benjamini–Hochberg step-up adjusted p-values (controls the false discovery rate):
 * with p ascending, adj_(i) = min_{k ≥ i} p_(k)·m/k, capped at 1, returned in the input order.
 * The running minimum from the largest p downwards is what makes them monotone in p.
 *
 * @example
 * benjaminiHochberg([0.01, 0.04, 0.03, 0.5]); // [0.04, 0.05333333333333334, 0.05333333333333334, 0.5]
 */
export function benjaminiHochberg(pvalues: ArrayLike<number>): number[] {
  const m = checkedLength(pvalues);
  // A stable ascending order (statsmodels sorts with mergesort), so equal p get equal results.
  const order = Array.from({ length: m }, (_, i) => i).sort(
    (a, b) => (pvalues[a] as number) - (pvalues[b] as number) || a - b,
  );
  const adjusted = new Array<number>(m);
  let runningMin = Number.POSITIVE_INFINITY;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1] as number;
    runningMin = Math.min(runningMin, (pvalues[index] as number) / (rank / m));
    adjusted[index] = Math.min(1, runningMin);
  }
  return adjusted;
}

/**
 * Which hypotheses are rejected at level alpha, given adjusted p-values: adjusted ≤ alpha.
 *
 * @example
 * rejected([0.04, 0.06], 0.05); // [true, false]
 */
export function rejected(adjusted: ArrayLike<number>, alpha: number): boolean[] {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  checkedLength(adjusted, "adjusted");
  return Array.from(adjusted, (p) => p <= alpha);
}

function checkedLength(pvalues: ArrayLike<number>, name = "pvalues"): number {
  for (let i = 0; i < pvalues.length; i++) {
    const p = pvalues[i] as number;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}[${i}] is ${p}, not a probability in [0, 1]`);
  }
  return pvalues.length;
}
