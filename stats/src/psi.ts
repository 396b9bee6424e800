/**
 * Population Stability Index with bin edges frozen from the reference sample.
 *
 * PSI = Σ_b (p_new,b − p_ref,b)·ln(p_new,b / p_ref,b), natural log. Proportions are count/n and
 * every proportion that is exactly 0 becomes 1e-4 (separately for ref and new, nothing
 * renormalised): the usual industry convention, and the one `../shared/oracles` pins.
 * Bins follow numpy `searchsorted(interior_edges, x, side="right")`: [e_b, e_{b+1}), the first
 * and last bins open-ended, so new values outside the reference range land in the end bins.
 *
 * Two binnings: reference deciles (numpy "linear" quantiles; duplicate edges from ties are kept
 * and leave empty bins) and equal-width bins over [min(ref), max(ref)] (numpy linspace).
 *
 * @example
 * ```ts
 * const bins = fitPsiBins(referenceScores, { kind: "quantile", bins: 10 });
 * const { psi, severity } = psiAgainst(bins, latestScores); // severity: "none" | "moderate" | "major"
 * ```
 */
import { kernels } from "@facedrift/wasm-kernels";
import { assertFinite } from "./matrix-input.ts";
import { fsum } from "./numeric/fsum.ts";
import { quantileSorted } from "./numeric/quantile.ts";

export const PSI_EMPTY_PROPORTION = 1e-4;
/** The conventional reading of PSI: ≥ 0.1 a moderate shift, ≥ 0.25 a major one. */
export const PSI_MODERATE = 0.1;
export const PSI_MAJOR = 0.25;

export type PsiBinning = { kind: "quantile"; bins: number } | { kind: "uniform"; bins: number };
export type PsiSeverity = "none" | "moderate" | "major";

/** Frozen binning of one reference dimension. */
export interface PsiBins {
  binning: PsiBinning;
  /** bins−1 ascending interior edges (duplicates allowed). */
  interiorEdges: number[];
  referenceCounts: number[];
  referenceSize: number;
}

export interface PsiResult {
  psi: number;
  severity: PsiSeverity;
  countsRef: number[];
  countsNew: number[];
  /** Per-bin contributions, summing to psi. */
  terms: number[];
}

export function fitPsiBins(reference: ArrayLike<number>, binning: PsiBinning): PsiBins {
  if (reference.length === 0) throw new RangeError("reference sample is empty");
  assertFinite(reference, "reference");
  if (!Number.isInteger(binning.bins) || binning.bins < 2) {
    throw new RangeError(`bins must be an integer ≥ 2, got ${binning.bins}`);
  }
  const sorted = Float64Array.from(reference).sort();
  const interiorEdges =
    binning.kind === "quantile" ? quantileEdges(sorted, binning.bins) : uniformEdges(sorted, binning.bins);
  return {
    binning,
    interiorEdges,
    referenceCounts: countBins(reference, interiorEdges),
    referenceSize: reference.length,
  };
}

function quantileEdges(sorted: Float64Array, bins: number): number[] {
  // q_i = i/bins exactly as numpy receives [i/10.0 for i in 1..9].
  return Array.from({ length: bins - 1 }, (_, i) => quantileSorted(sorted, (i + 1) / bins));
}

function uniformEdges(sorted: Float64Array, bins: number): number[] {
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  const step = (max - min) / bins; // numpy linspace: k·step + start; the last (outer) edge is max
  return Array.from({ length: bins - 1 }, (_, i) => (i + 1) * step + min);
}

function countBins(values: ArrayLike<number>, interiorEdges: number[]): number[] {
  return Array.from(kernels().histogram(Float64Array.from(values), Float64Array.from(interiorEdges)));
}

/** PSI of a new sample against frozen reference bins. */
export function psiAgainst(bins: PsiBins, sample: ArrayLike<number>): PsiResult {
  if (sample.length === 0) throw new RangeError("new sample is empty");
  assertFinite(sample, "new");
  const countsNew = countBins(sample, bins.interiorEdges);
  return psiFromCounts(bins.referenceCounts, countsNew);
}

/** PSI from two histograms over the same bins. */
export function psiFromCounts(countsRef: number[], countsNew: number[]): PsiResult {
  if (countsRef.length !== countsNew.length) throw new RangeError("histograms have different bin counts");
  const nRef = countsRef.reduce((s, c) => s + c, 0);
  const nNew = countsNew.reduce((s, c) => s + c, 0);
  if (nRef === 0 || nNew === 0) throw new RangeError("a histogram is empty");
  const terms = countsRef.map((cRef, b) => {
    const pRef = cRef / nRef || PSI_EMPTY_PROPORTION;
    const pNew = (countsNew[b] as number) / nNew || PSI_EMPTY_PROPORTION;
    return (pNew - pRef) * Math.log(pNew / pRef);
  });
  const psi = fsum(terms);
  return { psi, severity: psiSeverity(psi), countsRef: [...countsRef], countsNew: [...countsNew], terms };
}

export function psiSeverity(psi: number): PsiSeverity {
  return psi >= PSI_MAJOR ? "major" : psi >= PSI_MODERATE ? "moderate" : "none";
}

/** One-call form for two raw samples (what `facedrift stats psi` runs). */
export function psi(reference: ArrayLike<number>, sample: ArrayLike<number>, binning: PsiBinning): PsiResult {
  return psiAgainst(fitPsiBins(reference, binning), sample);
}
