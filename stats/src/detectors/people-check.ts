/**
 * @module
 * Who or how, for an embedding finding on a stream whose reference has no quality signals.
 *
 * The streaming statistics (ADWIN on PC1 and the residual, the MMD window) compare a stream's rows
 * with the reference as if every row were a new face. A window of a few people seen over and over
 * (a door camera's staff, a quiet hour) is far from that, and fires them without any change in
 * how faces are captured. Without quality signals the product cannot look at the capture itself,
 * so it asks the question the batch check asks (`person-mmd.ts`): does the window still differ
 * from the reference when whole people, not photos, are exchanged? A window its people explain
 * is a *population* finding; one that differs over people is an *input* finding.
 *
 * The test keeps the finding's own statistic, because an omnibus test loses the power of a
 * focused one: an MMD finding is tested by the person MMD; an ADWIN finding (a shift in the mean
 * of one value per row: the PC1 score, the PCA residual) by the shift of that value's mean over
 * people — each person's mean is one observation, and people are permuted between the window and
 * the reference sample (a cluster permutation test; Good, *Permutation Tests*, ch. 3).
 *
 * The test runs only after a streaming statistic fired, so its α is the share of those findings
 * a real population change is let through as input (and of input findings it would call
 * population is its power, measured in docs/who-vs-how.md "Without quality signals").
 */
import { seededRng } from "../numeric/random.ts";
import { personMmd } from "../person-mmd.ts";
import { distinctRows, leaderClusters } from "./quality-window.ts";

/** α of the person test that keeps an embedding finding an input one. */
export const PEOPLE_CHECK_ALPHA = 0.01;
/** Random reassignments of people: p resolves to 1/1001, a tenth of α. */
export const PEOPLE_CHECK_PERMUTATIONS = 1000;

/** What the check needs from the reference profile (`profile.mmd`). */
export interface PeopleReference {
  /** The reference's MMD sample, sampleSize × d row-major. */
  sample: Float64Array;
  sampleSize: number;
  /** RBF bandwidth frozen in the profile. */
  sigma: number;
  /** Cosine at or above which two faces are one person (`profile.mmd.samePersonThreshold`). */
  samePersonThreshold: number;
}

export interface PeopleCheck {
  verdict: "population" | "input";
  /** Which test decided: the person MMD, or the shift of a per-row value's mean over people. */
  test: "mmd" | "mean";
  /**
   * Person-permutation p-value (1 when the window holds fewer than two distinct faces). An MMD
   * check stops once p < α is out of reach; its p-value is then the sequential one (≥ α).
   */
  pValue: number;
  alpha: number;
  /** Rows the window held, the people found in it, and rows dropped as exact repeats. */
  rows: number;
  people: number;
  repeatsDropped: number;
}

/** The finding's statistic: MMD² over the vectors, or one value per row (`values` of the sample's and the window's rows). */
export type PeopleStatistic =
  | { kind: "mmd" }
  | {
      kind: "mean";
      referenceValues: ArrayLike<number>;
      windowValues: ArrayLike<number>;
      /**
       * Test the last `nested[i]` rows of the window each (those that fit) and keep the smallest
       * p-value times their number (Bonferroni); default: the whole window once.
       */
      nested?: readonly number[];
    };

/** The reference sample's people, once per sample (a finding is tested on up to three windows). */
const referenceLabelCache = new WeakMap<Float64Array, Int32Array>();
function referenceLabels(reference: PeopleReference, d: number): Int32Array {
  let labels = referenceLabelCache.get(reference.sample);
  if (!labels) {
    labels = leaderClusters(reference.sample, reference.sampleSize, d, reference.samePersonThreshold);
    referenceLabelCache.set(reference.sample, labels);
  }
  return labels;
}

/** Fixed: a replay after a crash must classify the same rows the same way. */
const SEED = 0x9e0b1e;

/**
 * @example
 * const c = checkPeople(reference, lastRows, 500, 128, { kind: "mmd" });
 * c.verdict; // "population" for ten people seen all day, "input" for a blurred camera
 */
export function checkPeople(
  reference: PeopleReference,
  window: Float32Array,
  rows: number,
  d: number,
  statistic: PeopleStatistic = { kind: "mmd" },
): PeopleCheck {
  const base = { alpha: PEOPLE_CHECK_ALPHA, rows, test: statistic.kind };
  const distinct = distinctRows(window, rows, d);
  // One face resent over and over is nothing the camera did.
  if (distinct.length < 2)
    return {
      ...base,
      verdict: "population",
      pValue: 1,
      people: distinct.length,
      repeatsDropped: rows - distinct.length,
    };
  if (statistic.kind === "mean") {
    const sizes = (statistic.nested ?? [rows])
      .filter((size, i) => i === 0 || size <= rows)
      .map((size) => Math.min(size, rows));
    const tested = sizes.map((size) => {
      const from = rows - size;
      const recent = window.subarray(from * d, rows * d);
      const values = Array.from({ length: size }, (_, i) => statistic.windowValues[from + i] as number);
      const kept = distinctRows(recent, size, d);
      return {
        size,
        kept,
        ...personMeanShift(reference, recent, d, kept, statistic.referenceValues, values),
      };
    });
    const best = tested.reduce((a, b) => (b.pValue < a.pValue ? b : a));
    const pValue = Math.min(1, best.pValue * tested.length);
    return {
      ...base,
      rows: best.size,
      verdict: pValue < PEOPLE_CHECK_ALPHA ? "input" : "population",
      pValue,
      people: best.people,
      repeatsDropped: best.size - best.kept.length,
    };
  }
  const r = personMmd(reference.sample, reference.sampleSize, window, rows, d, {
    samePersonThreshold: reference.samePersonThreshold,
    sigma: reference.sigma,
    permutations: PEOPLE_CHECK_PERMUTATIONS,
    seed: SEED,
    // Only the verdict matters here: a window its people explain stops after a few dozen relabellings.
    stopAfterExceedances: Math.ceil(PEOPLE_CHECK_ALPHA * (PEOPLE_CHECK_PERMUTATIONS + 1) - 1),
    referenceLabels: referenceLabels(reference, d),
  });
  return {
    ...base,
    verdict: r.pValue < PEOPLE_CHECK_ALPHA ? "input" : "population",
    pValue: r.pValue,
    people: r.units.window,
    repeatsDropped: r.repeatsDropped,
  };
}

/**
 * Two-sided cluster permutation test of the difference between the window's and the reference
 * sample's mean value, each person's mean value one observation.
 */
function personMeanShift(
  reference: PeopleReference,
  window: Float32Array,
  d: number,
  distinct: readonly number[],
  referenceValues: ArrayLike<number>,
  windowValues: ArrayLike<number>,
): { pValue: number; people: number } {
  const m = reference.sampleSize;
  if (referenceValues.length !== m)
    throw new RangeError(`${referenceValues.length} reference values for ${m} sample rows`);
  const kept = new Float64Array(distinct.length * d);
  distinct.forEach((row, i) => {
    kept.set(window.subarray(row * d, (row + 1) * d), i * d);
  });
  const unitMeans = (labels: Int32Array, value: (i: number) => number): number[] => {
    const sums: number[] = [];
    const counts: number[] = [];
    labels.forEach((label, i) => {
      sums[label] = (sums[label] ?? 0) + value(i);
      counts[label] = (counts[label] ?? 0) + 1;
    });
    return sums.map((sum, u) => sum / (counts[u] as number));
  };
  const refMeans = unitMeans(referenceLabels(reference, d), (i) => referenceValues[i] as number);
  const winMeans = unitMeans(
    leaderClusters(kept, distinct.length, d, reference.samePersonThreshold),
    (i) => windowValues[distinct[i] as number] as number,
  );
  const pooled = Float64Array.from([...refMeans, ...winMeans]);
  const a = refMeans.length;
  const units = pooled.length;
  let total = 0;
  for (const v of pooled) total += v;
  // |mean of the reference side − mean of the window side| for the first `a` of `order` on the reference side.
  const gap = (sumA: number) => Math.abs(sumA / a - (total - sumA) / (units - a));
  let observedA = 0;
  for (let i = 0; i < a; i++) observedA += pooled[i] as number;
  const observed = gap(observedA);
  const rng = seededRng(SEED);
  const order = Int32Array.from({ length: units }, (_, i) => i);
  let atLeast = 0;
  for (let p = 0; p < PEOPLE_CHECK_PERMUTATIONS; p++) {
    let sumA = 0;
    for (let i = 0; i < a; i++) {
      const j = i + Math.floor(rng() * (units - i));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
      sumA += pooled[order[i] as number] as number;
    }
    // A relative tolerance: equal gaps computed in another order must count as "at least".
    if (gap(sumA) >= observed * (1 - 1e-12)) atLeast++;
  }
  return { pValue: (atLeast + 1) / (PEOPLE_CHECK_PERMUTATIONS + 1), people: winMeans.length };
}
