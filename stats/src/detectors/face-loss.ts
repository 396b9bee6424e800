/**
 * @module
 * Faces lost: a change that defeats the detector (heavy pixelation, a lens cap, a broken decode
 * step) leaves no embedding behind, so every detector that watches embeddings sees only the
 * faces that survived — or nothing. Uploaded image batches know what was lost: each photo
 * without a face is recorded. This test compares the share of photos without a face in a new
 * batch with the stream's earlier photos (Fisher's exact test, one-sided: only more loss is a
 * finding), and states the cost the way verification counts it: a photo without a face is a
 * failed comparison (issue 12, item 5), so the rise in the failure-to-extract rate is the AUC it
 * costs, to first order (a lost probe's genuine pair drops below nearly every impostor pair).
 */

/** One false alarm in a thousand batches. */
export const FACE_LOSS_ALPHA = 0.001;
/** Earlier photos needed before a rate means anything, and photos in the batch under test. */
export const FACE_LOSS_MIN_BEFORE = 100;
export const FACE_LOSS_MIN_NOW = 30;

export interface FaceLossCounts {
  /** Photos processed (decoded), with or without a face. */
  photos: number;
  /** Photos in which the detector found no face. */
  lost: number;
}

export interface FaceLossResult {
  before: FaceLossCounts & { rate: number };
  now: FaceLossCounts & { rate: number };
  /** One-sided p-value of this many losses or more, given the pooled photos (Fisher's exact test). */
  pValue: number;
  alpha: number;
  fired: boolean;
  /** Rise of the failure-to-extract rate: the predicted ΔAUC when failures count as failed comparisons. */
  predictedDeltaAuc: number;
  /** Why there was no test (too few photos). */
  note?: string;
}

/**
 * @example
 * faceLossTest({ photos: 2000, lost: 10 }, { photos: 100, lost: 60 }).fired; // true
 */
export function faceLossTest(
  before: FaceLossCounts,
  now: FaceLossCounts,
  alpha = FACE_LOSS_ALPHA,
): FaceLossResult {
  for (const [name, c] of [
    ["before", before],
    ["now", now],
  ] as const) {
    if (!Number.isInteger(c.photos) || !Number.isInteger(c.lost) || c.lost < 0 || c.lost > c.photos)
      throw new RangeError(
        `${name}: lost must be an integer between 0 and photos (${c.lost} of ${c.photos})`,
      );
  }
  const rate = (c: FaceLossCounts) => (c.photos === 0 ? 0 : c.lost / c.photos);
  const base = {
    before: { ...before, rate: rate(before) },
    now: { ...now, rate: rate(now) },
    alpha,
    predictedDeltaAuc: Math.max(0, rate(now) - rate(before)),
  };
  if (before.photos < FACE_LOSS_MIN_BEFORE || now.photos < FACE_LOSS_MIN_NOW) {
    return {
      ...base,
      pValue: 1,
      fired: false,
      note: `needs ${FACE_LOSS_MIN_BEFORE} earlier photos and ${FACE_LOSS_MIN_NOW} in the batch (have ${before.photos} and ${now.photos})`,
    };
  }
  const pValue = fisherUpperTail(now.lost, before.lost + now.lost, before.photos + now.photos, now.photos);
  return { ...base, pValue, fired: pValue < alpha };
}

/**
 * P(X ≥ k) for X hypergeometric: `draws` photos taken from `total`, of which `marked` are lost.
 * Summed in log space relative to the largest term. The terms are log-concave in x (one mode), so
 * past the mode the sum stops once a term is below e^-50 of the largest: the rest, at most a
 * million smaller terms, cannot move it. An extraction report may state a million attempts, and
 * a test over two of them then costs thousands of terms, not millions.
 */
export function fisherUpperTail(k: number, marked: number, total: number, draws: number): number {
  const logChoose = (n: number, r: number) => logFactorial(n) - logFactorial(r) - logFactorial(n - r);
  const logDenominator = logChoose(total, draws);
  const high = Math.min(marked, draws);
  const low = Math.max(k, draws - (total - marked), 0);
  if (low > high) return 0;
  const mode = Math.floor(((draws + 1) * (marked + 1)) / (total + 2));
  const logs: number[] = [];
  let top = Number.NEGATIVE_INFINITY;
  for (let x = low; x <= high; x++) {
    const l = logChoose(marked, x) + logChoose(total - marked, draws - x) - logDenominator;
    logs.push(l);
    if (l > top) top = l;
    else if (x > mode && l < top - NEGLIGIBLE_LOG) break;
  }
  let sum = 0;
  for (const l of logs) sum += Math.exp(l - top);
  return Math.min(1, Math.exp(top) * sum);
}

/** A term this far (in log) below the largest adds nothing a double can hold to the sum. */
const NEGLIGIBLE_LOG = 50;

/** ln(n!) exactly summed up to this n, by Stirling's series beyond (error below 1e-19 there). */
const EXACT_LOG_FACTORIALS = 256;
const LOG_FACTORIALS = (() => {
  const out = new Float64Array(EXACT_LOG_FACTORIALS + 1);
  for (let i = 2; i <= EXACT_LOG_FACTORIALS; i++) out[i] = (out[i - 1] as number) + Math.log(i);
  return out;
})();

/** ln(n!) in constant time: a table for small n, Stirling's series (to 1/n⁵) for large n. */
export function logFactorial(n: number): number {
  if (n <= EXACT_LOG_FACTORIALS) return LOG_FACTORIALS[n] as number;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return (
    n * Math.log(n) -
    n +
    0.5 * Math.log(2 * Math.PI * n) +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260)))
  );
}
