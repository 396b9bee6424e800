/**
 * The scheduled batch check of a window of new embeddings against a reference profile:
 * project on the frozen PCA → PSI per component (flag ≥ 0.1) and two-sample KS per component
 * (Benjamini–Hochberg across components) → severity (≥ 3 PSI-flagged components is "high") →
 * MMD² with a permutation p-value against the reference MMD sample to confirm.
 *
 * Drift is *confirmed* when the severity is not "none" and MMD confirms; with `mmd: "always"`
 * (every run of the recommended check profile, and the weekly run) MMD alone can confirm a shift
 * that the per-component tests miss. Every number is returned so the run can be stored whole.
 *
 * The defaults follow docs/detection-quality.md ("Summary", "The split-half calibrations share
 * people", "PSI needs ≥ 500 embeddings") and docs/who-vs-how.md:
 * - MMD decides with the person-permutation test (`person-mmd.ts`) at α = 0.004 when the profile
 *   has a same-person threshold: the reference holds several photos per person, so photos are
 *   not exchangeable with a window of new people, and the row permutation test as first shipped
 *   confirmed drift on 33 % of clean held-out windows of 500 (90 % when the sample keeps several
 *   photos per person); permuting whole people keeps clean p-values near uniform, and exact
 *   repeats or a few people seen many times do not confirm drift. `mmdDecision: "profile"` (the
 *   `seed` check profile) confirms above the profile's calibrated window threshold where the
 *   compared rows are as many as it was calibrated for, else by the row permutation test.
 * - PSI is a valid flag only on windows of ≥ 500 embeddings: with 10 decile bins the "≥ 3
 *   components ≥ 0.1" rule flagged 98 % of clean windows of 100 and 25 % of 200, none of 500.
 *   Smaller windows still report every PSI value, flag nothing on it, and say why (`psi.note`);
 *   their severity rests on KS.
 */

import { ksTwoSample } from "../ks.ts";
import type { Matrix } from "../matrix-input.ts";
import { mmd } from "../mmd.ts";
import { benjaminiHochberg } from "../multiple-testing.ts";
import { pcaFromJson, projectPca } from "../pca.ts";
import { personMmd } from "../person-mmd.ts";
import { PSI_MODERATE, type PsiBinning, psiAgainst } from "../psi.ts";
import type { ReferenceProfile } from "./reference-profile.ts";

export type BatchSeverity = "none" | "low" | "high";

export interface BatchCheckOptions {
  /**
   * Components with PSI at or above this are flagged (default 0.1). With 10 decile bins, windows of
   * fewer than ~500 in-distribution face embeddings routinely reach it (docs/detection-quality.md:
   * the "≥ 3 components" rule fires on nearly every window of 100), so severity only gates the MMD
   * permutation test and never confirms drift on its own.
   */
  psiFlag?: number;
  /** BH-adjusted KS p-values below this flag a component (default 0.01). */
  ksAlpha?: number;
  /** This many PSI-flagged components make the severity "high" (default 3). */
  highSeverityComponents?: number;
  /** "auto": MMD only when something was flagged; "always": the weekly run; "never". */
  mmd?: "auto" | "always" | "never";
  permutations?: number;
  /** α of the permutation test where it decides (default 0.004, the streaming window's α). */
  mmdAlpha?: number;
  /**
   * "people" (default where the profile has a same-person threshold): the person-permutation
   * test (`person-mmd.ts`) at `mmdAlpha`, calibrated for windows of new people and blind to
   * exact repeats and to a few people seen many times; "profile": the profile's calibrated window
   * threshold where it applies, else the row permutation test; "permutation": always the row
   * permutation test (the first shipped rule).
   */
  mmdDecision?: "people" | "profile" | "permutation";
  /**
   * Windows smaller than this flag no component on PSI (default `psiMinRowsFor` the profile's
   * bins: 500 with deciles; 0 restores the old rule).
   */
  psiMinRows?: number;
  seed?: number;
}

/** docs/detection-quality.md: the PSI rule stays quiet on clean windows from 500 embeddings on. */
export const PSI_MIN_ROWS = 500;

/**
 * The smallest window PSI may flag on with `binning`: `PSI_MIN_ROWS` for 10 bins, scaled by
 * (bins − 1) / 9 for others. A clean window's PSI grows like (bins − 1) / rows (each bin adds a
 * χ²-like term), so keeping the 0.1 flag as quiet as deciles are at 500 takes proportionally
 * more rows: 50 equal-width bins need 2,723. On 20,000 normal reference rows and 400 clean
 * windows each, 50 equal-width bins at 500 rows reached PSI ≥ 0.1 on one component 11.5 % of
 * the time (deciles: 0 %); at 2,723 rows, 0 % with a mean PSI of 0.008 (deciles at 500: 0.014).
 *
 * @example
 * psiMinRowsFor({ kind: "quantile", bins: 10 }); // 500
 * psiMinRowsFor({ kind: "uniform", bins: 50 }); // 2723
 */
export function psiMinRowsFor(binning: PsiBinning): number {
  return Math.ceil((PSI_MIN_ROWS * (binning.bins - 1)) / 9);
}
/** docs/detection-quality.md, "The goal": α = 0.004 per window of 500. */
export const DEFAULT_MMD_ALPHA = 0.004;

export interface BatchCheckResult {
  n: number;
  components: number;
  /** Mean score of the window on each component (the reference mean is 0 by construction). */
  scoreMeans: number[];
  /** `note` says why nothing was flagged on PSI (window below `psiMinRows`). */
  psi: { values: number[]; flagged: number[]; note?: string };
  ks: { statistics: number[]; pvalues: number[]; adjusted: number[]; flagged: number[] };
  severity: BatchSeverity;
  mmd: null | {
    mmd2Unbiased: number;
    mmd2Biased: number;
    pValue: number;
    permutations: number;
    sigma: number;
    sampleSize: number;
    /** MMD²_u above the reference-only null's 95th percentile. */
    aboveNullQ95: boolean;
    /**
     * Which rule decided: the person-permutation p-value, the profile's calibrated threshold, or
     * the row permutation p-value, each at `alpha`.
     */
    decision: "people" | "threshold" | "permutation";
    /** The person-permutation test's own numbers, when it decided (`pValue` is then its p-value). */
    people?: {
      units: { reference: number; window: number };
      repeatsDropped: number;
      samePersonThreshold: number;
    };
    /** The calibrated MMD²_u threshold, when it decided. */
    threshold?: number;
    /** False positives per window the deciding rule allows. */
    alpha: number;
    confirmed: boolean;
  };
  drift: boolean;
}

export function batchCheck(
  profile: ReferenceProfile,
  x: Matrix,
  n: number,
  options: BatchCheckOptions = {},
): BatchCheckResult {
  const d = profile.dimension;
  if (n < 2) throw new RangeError(`a batch check needs at least 2 embeddings, got ${n}`);
  if (x.length !== n * d) throw new RangeError(`window has ${x.length} values, expected ${n}×${d}`);
  const scores = projectPca(pcaFromJson(profile.pca), x, n);
  return batchCheckScores(profile, scores, n, x.subarray((n - mmdRows(profile, n)) * d, n * d), options);
}

/** How many of a window's most recent rows MMD compares with the reference sample. */
export function mmdRows(profile: ReferenceProfile, n: number): number {
  return Math.min(n, profile.mmd.sampleSize);
}

/**
 * The same check from what it needs of the window: its scores on the frozen components (n × k,
 * row-major, as `projectPca` returns them) and its last {@link mmdRows} embeddings for MMD. A
 * caller that keeps scores (the server caches them per reference version) need not hold the
 * whole window; given the same inputs the result is identical to {@link batchCheck}'s.
 */
export function batchCheckScores(
  profile: ReferenceProfile,
  scores: Float64Array,
  n: number,
  recent: Matrix,
  options: BatchCheckOptions = {},
): BatchCheckResult {
  const d = profile.dimension;
  const k = profile.pca.nComponents;
  if (n < 2) throw new RangeError(`a batch check needs at least 2 embeddings, got ${n}`);
  if (scores.length !== n * k)
    throw new RangeError(`scores have ${scores.length} values, expected ${n}×${k}`);
  if (recent.length !== mmdRows(profile, n) * d) {
    throw new RangeError(`recent rows have ${recent.length} values, expected ${mmdRows(profile, n)}×${d}`);
  }
  const column = (j: number) => Float64Array.from({ length: n }, (_, i) => scores[i * k + j] as number);
  const refColumn = (j: number) =>
    Float64Array.from(
      { length: profile.ksSample.rows },
      (_, i) => profile.ksSample.scores[i * k + j] as number,
    );

  const psiValues: number[] = [];
  const ksStatistics: number[] = [];
  const ksPvalues: number[] = [];
  const scoreMeans: number[] = [];
  for (let j = 0; j < k; j++) {
    const values = column(j);
    scoreMeans.push(values.reduce((s, v) => s + v, 0) / n);
    psiValues.push(psiAgainst(profile.psi[j] as (typeof profile.psi)[number], values).psi);
    // The exact null costs O(n1·n2); past a million cell pairs the asymptotic p-value is accurate
    // to far better than the decision needs, and keeps a 10k-row window from taking seconds.
    const reference = refColumn(j);
    const method = reference.length * n <= 1_000_000 ? "exact" : "asymp";
    const ks = ksTwoSample(reference, values, { method });
    ksStatistics.push(ks.statistic);
    ksPvalues.push(ks.pvalue);
  }
  const adjusted = benjaminiHochberg(ksPvalues);
  const psiFlag = options.psiFlag ?? PSI_MODERATE;
  const ksAlpha = options.ksAlpha ?? 0.01;
  const binning = profile.psi[0]?.binning ?? { kind: "quantile", bins: 10 };
  const psiMinRows = options.psiMinRows ?? psiMinRowsFor(binning);
  const psiValid = n >= psiMinRows;
  const psiFlagged = psiValid ? indicesWhere(psiValues, (v) => v >= psiFlag) : [];
  const ksFlagged = indicesWhere(adjusted, (p) => p < ksAlpha);
  const severity: BatchSeverity =
    psiFlagged.length >= (options.highSeverityComponents ?? 3)
      ? "high"
      : psiFlagged.length > 0 || ksFlagged.length > 0
        ? "low"
        : "none";

  const mode = options.mmd ?? "auto";
  const runMmd = mode === "always" || (mode === "auto" && severity !== "none");
  const mmdResult = runMmd ? confirmWithMmd(profile, recent, options) : null;
  const confirmed = mmdResult?.confirmed ?? false;
  const bins =
    binning.kind === "quantile" && binning.bins === 10
      ? "10 decile bins"
      : `${binning.bins} ${binning.kind === "quantile" ? "quantile" : "equal-width"} bins`;
  const psiNote = `PSI flags nothing below ${psiMinRows} embeddings (this window: ${n}): with ${bins} a clean window that small routinely reaches 0.1 (docs/detection-quality.md)`;
  return {
    n,
    components: k,
    scoreMeans,
    psi: { values: psiValues, flagged: psiFlagged, ...(psiValid ? {} : { note: psiNote }) },
    ks: { statistics: ksStatistics, pvalues: ksPvalues, adjusted, flagged: ksFlagged },
    severity,
    mmd: mmdResult,
    drift: confirmed && (severity !== "none" || mode === "always"),
  };
}

/** MMD of the most recent rows (up to the reference sample size) against the reference sample. */
function confirmWithMmd(profile: ReferenceProfile, recent: Matrix, options: BatchCheckOptions) {
  const d = profile.dimension;
  const size = recent.length / d;
  const reference = Float64Array.from(profile.mmd.sample);
  const permutations = options.permutations ?? 1000;
  const seed = options.seed ?? 0;
  const samePerson = samePersonThresholdOf(profile);
  const decision = options.mmdDecision ?? (samePerson === undefined ? "profile" : "people");
  const byPeople = decision === "people" && samePerson !== undefined;
  // The row permutations only decide without the person test; with it, MMD² itself is enough.
  const r = mmd(reference, profile.mmd.sampleSize, recent, size, d, {
    permutations: byPeople ? 0 : permutations,
    seed,
    sigma: profile.mmd.sigma,
  });
  const common = {
    mmd2Unbiased: r.mmd2Unbiased,
    mmd2Biased: r.mmd2Biased,
    permutations,
    sigma: r.sigma,
    sampleSize: size,
    aboveNullQ95: r.mmd2Unbiased > profile.calibration.mmdNull.q95,
  };
  if (byPeople) {
    const alpha = options.mmdAlpha ?? DEFAULT_MMD_ALPHA;
    const people = personMmd(reference, profile.mmd.sampleSize, recent, size, d, {
      samePersonThreshold: samePerson,
      sigma: profile.mmd.sigma,
      permutations,
      seed,
    });
    return {
      ...common,
      pValue: people.pValue,
      decision: "people" as const,
      people: {
        units: people.units,
        repeatsDropped: people.repeatsDropped,
        samePersonThreshold: samePerson,
      },
      alpha,
      confirmed: people.pValue < alpha,
    };
  }
  const rowPValue = r.pValue as number;
  const window = profile.mmdWindow;
  // The threshold was calibrated for windows of `window.size` rows against this sample; MMD²_u
  // of fewer rows has a wider null, so it would fire too often there.
  const useThreshold = decision === "profile" && window?.size === size;
  const alpha = useThreshold ? (window?.alpha as number) : (options.mmdAlpha ?? DEFAULT_MMD_ALPHA);
  return {
    ...common,
    pValue: rowPValue,
    decision: useThreshold ? ("threshold" as const) : ("permutation" as const),
    ...(useThreshold ? { threshold: window?.threshold as number } : {}),
    alpha,
    confirmed: useThreshold ? r.mmd2Unbiased > (window?.threshold as number) : rowPValue < alpha,
  };
}

/** The profile's same-person threshold: its own, else its quality detector's (older profiles). */
function samePersonThresholdOf(profile: ReferenceProfile): number | undefined {
  return profile.mmd.samePersonThreshold ?? profile.quality?.samePersonThreshold;
}

function indicesWhere(values: number[], predicate: (v: number) => boolean): number[] {
  return values.flatMap((v, i) => (predicate(v) ? [i] : []));
}
