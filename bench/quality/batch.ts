/**
 * @module
 * Batch (two-sample) detectors on a window of n embeddings against the frozen reference. Each
 * returns a score (higher = more drift) so it can be calibrated to a 5 % false-positive rate on
 * in-distribution windows of the same size, Failing Loudly's protocol, and, where the product has
 * one, the product's own fixed decision, whose false-positive rate is then measured, not assumed.
 */
import { batchCheck, ksTwoSample, PSI_MODERATE, type ReferenceProfile } from "@facedrift/stats";

export const BATCH_DETECTORS = ["psiRule", "psiSum", "ksBh", "mmd", "knnRate", "ksNn"] as const;
export type BatchDetector = (typeof BATCH_DETECTORS)[number];

export const BATCH_LABELS: Record<BatchDetector, string> = {
  psiRule: "PSI, seed rule (≥ 3 of 10 PCs ≥ 0.1)",
  psiSum: "PSI summed over 10 PCs",
  ksBh: "KS per PC, BH-corrected",
  mmd: "MMD² (RBF, all dimensions)",
  knnRate: "kNN novelty rate",
  ksNn: "KS on nearest-reference distance",
};

export interface BatchScores {
  scores: Record<BatchDetector, number>;
  /** The product's fixed rule where there is one (PSI seed rule, KS BH p < 0.01, MMD² > null q95). */
  decisions: Partial<Record<BatchDetector, boolean>>;
}

export interface BatchContext {
  profile: ReferenceProfile;
  /** Leave-one-out nearest-other distances of the reference (the kNN threshold's source). */
  referenceNn: Float64Array;
  /** The reference's 99th percentile of those distances: the product's kNN threshold. */
  knnThreshold: number;
}

/**
 * Scores one window: `x` (n×d) with its rows' nearest-reference distances `nn` and its unbiased
 * MMD² against the profile's MMD sample at the profile's bandwidth (`mmdTable` in stats/src/mmd-table.ts).
 */
export function scoreWindow(
  context: BatchContext,
  x: Float32Array,
  nn: Float64Array,
  n: number,
  mmd2: number,
): BatchScores {
  const { profile } = context;
  const check = batchCheck(profile, x, n, { mmd: "never" });
  // The seed rule itself, at every window size (the product now flags nothing below 500).
  const flagged = check.psi.values.filter((v) => v >= PSI_MODERATE).length;
  const minAdjusted = Math.min(...check.ks.adjusted);
  const m = mmd2;
  let novel = 0;
  for (let i = 0; i < n; i++) if ((nn[i] as number) > context.knnThreshold) novel++;
  const ksNn = ksTwoSample(context.referenceNn, nn, { method: "asymp" });
  return {
    scores: {
      psiRule: flagged,
      psiSum: check.psi.values.reduce((s, v) => s + v, 0),
      ksBh: -Math.log10(Math.max(minAdjusted, 1e-300)),
      mmd: m,
      knnRate: novel / n,
      ksNn: ksNn.statistic,
    },
    decisions: {
      psiRule: flagged >= 3,
      ksBh: minAdjusted < 0.01,
      mmd: m > profile.calibration.mmdNull.q95,
      ksNn: ksNn.pvalue < 0.01,
    },
  };
}

/**
 * The score threshold with at most `alpha` of the null scores strictly above it (ties count as
 * not detected, so discrete scores such as the PSI count never exceed the false-positive rate).
 */
export function nullThreshold(nullScores: readonly number[], alpha: number): number {
  const sorted = [...nullScores].sort((a, b) => a - b);
  const allowed = Math.floor(alpha * sorted.length);
  // The value at rank n − allowed − 1: at most `allowed` values lie strictly above it.
  return sorted[Math.max(0, sorted.length - allowed - 1)] as number;
}

/** Share of `scores` strictly above `threshold`. */
export function rateAbove(scores: readonly number[], threshold: number): number {
  return scores.filter((s) => s > threshold).length / scores.length;
}

/** Permutations for the shipped check's MMD p-value here (product default 1,000; p resolution 0.005 is ample at α = 0.05). */
export const SHIPPED_PERMUTATIONS = 200;

/**
 * The product's batch check as first shipped (PSI/KS gate at every window size → MMD permutation
 * test at α = 0.05): did it confirm drift? Its options are spelled out because the product's
 * defaults have since moved to this benchmark's recommendation (stats/src/detectors/batch-check.ts).
 */
export function shippedDecision(
  profile: ReferenceProfile,
  x: Float32Array,
  n: number,
  seed: number,
): boolean {
  return batchCheck(profile, x, n, {
    permutations: SHIPPED_PERMUTATIONS,
    seed,
    mmdAlpha: 0.05,
    mmdDecision: "permutation",
    psiMinRows: 0,
  }).drift;
}
