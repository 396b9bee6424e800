/**
 * The streaming MMD window: every `size` embeddings (default 500), MMD²_u (RBF, all dimensions)
 * between the reference profile's frozen MMD sample and the last `size` embeddings, compared
 * with a threshold set at α false positives per window (default 0.004). docs/detection-quality.md
 * found this catches every shift that costs ≥ 0.01 verification AUC within 1,000 embeddings; at
 * α = 0.004 its 20 windows per 10,000 embeddings spend 0.08 of the 0.1 false alarms allowed.
 *
 * Calibration uses the reference alone: windows of `size` rows resampled (without replacement
 * inside a window: a stream's embeddings are distinct photos, and a repeated row would add a
 * kernel value of exactly 1 that no real window has) from reference rows of *other groups* than
 * the MMD sample's
 * — other people when the embeddings name them, else other time blocks (`fitReferenceProfile`
 * splits them). Drawing the windows from the MMD sample's own people made the null describe
 * photos of people the sample already holds: on the LFW benchmark that threshold fired on 99.5 %
 * of windows of new people, against 0.15 % with the split (docs/detection-quality.md, "In the
 * product"). An empirical 99.6 % quantile of W windows rests on 0.004·W windows
 * (8 of 2,000), so it moves a lot from seed to seed. Instead the threshold is the 1 − α quantile
 * of a Pearson type III (shifted gamma) distribution matched to the windows' mean, standard
 * deviation and skewness: under no drift MMD²_u is asymptotically a weighted sum of centred χ²
 * variables (Gretton et al., JMLR 2012, Thm. 12), which a three-moment gamma fits well in the
 * upper tail (the same idea as Gretton et al.'s 2009 gamma approximation, with a shift because
 * MMD²_u can be negative). All W windows inform the moments, so the threshold is stable. The
 * empirical quantile and the share of calibration windows above the threshold are kept next to
 * it, so a poor fit is visible in the profile. The windows share one finite pool, so their mean
 * carries that pool's own deviation; on synthetic 64-D data (2,000 reference rows, 4,000 fresh
 * windows) fresh in-distribution windows crossed the α = 0.004 threshold at 0.10–0.15 %: on the
 * safe side (`mmd-window.test.ts` checks the rate on fresh windows).
 *
 * Caveat: a window is compared with a sample of many people. A stream whose window of 500 is
 * dominated by a few people (one door, a quiet hour) differs from that sample the way a new
 * population does, and the window can fire on it; the window's size is the lever.
 *
 * @example
 * ```ts
 * const window = new MmdWindow(profile.mmd.sample, profile.mmd.sampleSize, d, profile.mmd.sigma);
 * const fired = window.statistic(last500, 500) > profile.mmdWindow.threshold;
 * ```
 */
import { kernels } from "@facedrift/wasm-kernels";
import type { Matrix } from "../matrix-input.ts";
import { mmdTable, windowMmd2 } from "../mmd-table.ts";
import { normalQuantile } from "../numeric/normal-quantile.ts";
import { seededRng } from "../numeric/random.ts";

export const DEFAULT_MMD_WINDOW_SIZE = 500;
/** docs/detection-quality.md, "The goal": 200 windows per 100,000 embeddings × 0.004 = 0.8 of the 1 allowed. */
export const DEFAULT_MMD_WINDOW_ALPHA = 0.004;

export interface MmdWindowCalibration {
  /** Embeddings per window; a window closes every `size` embeddings. */
  size: number;
  alpha: number;
  /** A window fires when its MMD²_u is strictly above this. */
  threshold: number;
  method: "pearson3";
  /** Resampled windows and the pool of reference rows (other groups than the sample's) they came from. */
  windows: number;
  poolRows: number;
  null: {
    mean: number;
    sd: number;
    skewness: number;
    /** The plain empirical 1 − α quantile of the same windows, for comparison. */
    empiricalQuantile: number;
    /** Share of the calibration windows above `threshold`. */
    exceedance: number;
  };
}

/** The smallest window a reference-fitted size may take; below it the window is skipped, saying why. */
export const MIN_FITTED_WINDOW = 50;

export interface MmdWindowOptions {
  size?: number;
  alpha?: number;
  /** Resampled windows (default 2,000). */
  windows?: number;
  /** Most pool rows tabulated (default 2,000: the kernel table is (m + pool)² doubles). */
  maxPoolRows?: number;
  seed?: number;
}

/**
 * The 1 − α quantile of the Pearson type III distribution with this mean, standard deviation and
 * skewness, via the Wilson–Hilferty cube-root approximation of the gamma quantile (within ~1 %
 * of the exact gamma quantile for shape ≥ ½ at these tail levels). Without right skew it is the
 * normal quantile, the distribution's limit as the skewness goes to 0.
 */
export function pearson3Threshold(mean: number, sd: number, skewness: number, alpha: number): number {
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`alpha must be in (0, 0.5), got ${alpha}`);
  if (!(sd >= 0) || !Number.isFinite(mean))
    throw new RangeError(`mean ${mean} and sd ${sd} must be finite, sd ≥ 0`);
  const z = normalQuantile(1 - alpha);
  if (!(skewness > 1e-3)) return mean + z * sd;
  const shape = 4 / (skewness * skewness);
  const scale = (sd * skewness) / 2;
  const cube = 1 - 1 / (9 * shape) + z / (3 * Math.sqrt(shape));
  // The gamma has mean shape·scale; shifting it to `mean` gives mean + scale·(q − shape).
  return mean + scale * (shape * cube ** 3 - shape);
}

/**
 * Calibrates the window threshold on the reference `x` (n × d). `sampleRows` are the rows of `x`
 * that form the MMD sample (`sample`, m × d). Returns the reason instead when fewer than
 * 2 × size rows lie outside the sample: windows drawn from a smaller pool overlap so much that
 * their spread says little about fresh windows.
 *
 * Without an explicit `size`, the window fits the reference: 500, or half the rows outside the
 * sample when there are fewer than 1,000 (a 500-photo reference split by person gets windows of
 * about 125), down to MIN_FITTED_WINDOW — so the detector runs on the references users start with
 * instead of being skipped; the size chosen is in the calibration.
 */
export function calibrateMmdWindow(
  x: Matrix,
  n: number,
  d: number,
  mmdSample: { rows: readonly number[]; sample: ArrayLike<number>; sigma: number },
  options: MmdWindowOptions = {},
  /** The rows windows may be drawn from (default: every row outside the MMD sample). */
  poolCandidates?: readonly number[],
): MmdWindowCalibration | { skipped: string } {
  const m = mmdSample.rows.length;
  if (mmdSample.sample.length !== m * d)
    throw new RangeError(`MMD sample has ${mmdSample.sample.length} values, expected ${m}×${d}`);
  const plan = planWindows(n, mmdSample.rows, options, poolCandidates);
  if ("skipped" in plan) return plan;
  const { poolRows } = plan;
  const pool = new Float32Array(poolRows.length * d);
  poolRows.forEach((r, i) => {
    pool.set(x.subarray(r * d, (r + 1) * d), i * d);
  });
  const table = mmdTable(Float32Array.from(mmdSample.sample), m, pool, poolRows.length, d, mmdSample.sigma);
  return thresholdFromWindows(plan, (indices) => windowMmd2(table, indices));
}

/** How the calibration windows are drawn: their size, the pool's rows, and the seeded generator. */
export interface WindowPlan {
  size: number;
  alpha: number;
  windows: number;
  /** Reference rows (other groups than the sample's) the windows are drawn from, shuffled. */
  poolRows: number[];
  rng: () => number;
}

/**
 * The window size and the pool of `calibrateMmdWindow` (and of every window statistic calibrated
 * the same way): rows outside the sample's groups, at most `maxPoolRows`; the reason instead when
 * fewer than two windows' worth lie outside it.
 */
export function planWindows(
  n: number,
  sampleRows: readonly number[],
  options: MmdWindowOptions,
  poolCandidates?: readonly number[],
): WindowPlan | { skipped: string } {
  const alpha = options.alpha ?? DEFAULT_MMD_WINDOW_ALPHA;
  const windows = options.windows ?? 2000;
  const inSample = new Uint8Array(n);
  for (const r of sampleRows) inSample[r] = 1;
  const outside = (poolCandidates ?? Array.from({ length: n }, (_, i) => i)).filter((i) => !inSample[i]);
  const size =
    options.size ??
    Math.max(MIN_FITTED_WINDOW, Math.min(DEFAULT_MMD_WINDOW_SIZE, Math.floor(outside.length / 2)));
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`size must be an integer ≥ 2, got ${size}`);
  if (!Number.isInteger(windows) || windows < 100)
    throw new RangeError(`windows must be an integer ≥ 100, got ${windows}`);
  const rng = seededRng(options.seed ?? 0);
  // Two windows' worth at least, so that windows differ from one another.
  const minimum = 2 * size;
  if (outside.length < minimum) {
    return {
      skipped: `${outside.length} reference rows lie outside the MMD sample's groups; ${minimum} are needed for windows of ${size}`,
    };
  }
  shuffle(outside, rng);
  const poolRows = outside.slice(0, Math.max(minimum, Math.min(outside.length, options.maxPoolRows ?? 2000)));
  return { size, alpha, windows, poolRows, rng };
}

/**
 * Draws the plan's windows (indices into its pool, without replacement inside a window), takes
 * `statistic` of each and sets the threshold at 1 − α of a Pearson III fit to them.
 */
export function thresholdFromWindows(
  plan: WindowPlan,
  statistic: (poolIndices: number[]) => number,
): MmdWindowCalibration {
  const { size, alpha, windows, poolRows, rng } = plan;
  const indices = Array.from({ length: poolRows.length }, (_, i) => i);
  const statistics = new Float64Array(windows);
  for (let w = 0; w < windows; w++) {
    partialShuffle(indices, size, rng);
    statistics[w] = statistic(indices.slice(0, size));
  }
  const { mean, sd, skewness } = moments(statistics);
  // The windows come from one finite pool: drawing `size` of its N rows without replacement
  // shrinks their variance by (1 − f), f = size / N, against windows of fresh embeddings, and
  // their mean is the pool's, itself off the population's by a variance f times a window's. A
  // fresh window's spread around the windows' mean is therefore sd·√((1 + f)/(1 − f)): at the
  // smallest pool (N = 2·size) that is 1.7 × sd, without which clean windows fired far above α.
  const f = size / poolRows.length;
  const threshold = pearson3Threshold(mean, sd * Math.sqrt((1 + f) / (1 - f)), skewness, alpha);
  const sorted = Float64Array.from(statistics).sort();
  let above = 0;
  for (const s of statistics) if (s > threshold) above++;
  return {
    size,
    alpha,
    threshold,
    method: "pearson3",
    windows,
    poolRows: poolRows.length,
    null: {
      mean,
      sd,
      skewness,
      empiricalQuantile: sorted[Math.min(windows - 1, Math.floor((1 - alpha) * windows))] as number,
      exceedance: above / windows,
    },
  };
}

function moments(values: Float64Array) {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  let m2 = 0;
  let m3 = 0;
  for (const v of values) {
    m2 += (v - mean) ** 2;
    m3 += (v - mean) ** 3;
  }
  m2 /= n;
  m3 /= n;
  return { mean, sd: Math.sqrt((m2 * n) / (n - 1)), skewness: m2 > 0 ? m3 / m2 ** 1.5 : 0 };
}

function shuffle(values: number[], rng: () => number): void {
  partialShuffle(values, values.length, rng);
}

/** Fisher–Yates on the first `count` places: they become a uniform sample without replacement. */
function partialShuffle(values: number[], count: number, rng: () => number): void {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (values.length - i));
    const t = values[i] as number;
    values[i] = values[j] as number;
    values[j] = t;
  }
}

/**
 * MMD²_u of a window against a frozen sample, for the streaming worker. The sample's own kernel
 * sum is computed once; each window then needs only its n × (n + m) dot products, taken by the
 * SIMD `project` kernel (f32 lanes, ~1e-6 relative), with ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y.
 * Equal to `mmd()` within 1e-6 (tested), far below the thresholds' scale.
 */
export class MmdWindow {
  private readonly sample: Float32Array;
  private readonly sampleNorms: Float64Array;
  private readonly sXX: number;
  private readonly twoSigmaSq: number;

  constructor(
    sample: ArrayLike<number>,
    private readonly m: number,
    private readonly d: number,
    sigma: number,
  ) {
    if (sample.length !== m * d)
      throw new RangeError(`MMD sample has ${sample.length} values, expected ${m}×${d}`);
    if (m < 2) throw new RangeError(`the MMD sample needs at least 2 rows, got ${m}`);
    if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
    this.sample = Float32Array.from(sample);
    this.sampleNorms = rowNorms(this.sample, m, d);
    this.twoSigmaSq = 2 * sigma * sigma;
    const k = kernels();
    const gram = k.rbfGram(k.pairwiseSquaredDistances(this.sample, m, d), sigma * sigma);
    let s = 0;
    for (const v of gram) s += v;
    this.sXX = s;
  }

  statistic(window: Float32Array, n: number): number {
    const { m, d } = this;
    if (n < 2) throw new RangeError(`a window needs at least 2 rows, got ${n}`);
    if (window.length !== n * d)
      throw new RangeError(`window has ${window.length} values, expected ${n}×${d}`);
    const both = new Float32Array((n + m) * d);
    both.set(window);
    both.set(this.sample, n * d);
    const dots = kernels().project(window, n, d, both, n + m);
    const norms = rowNorms(window, n, d);
    let sYY = 0;
    let sXY = 0;
    for (let i = 0; i < n; i++) {
      const row = i * (n + m);
      const ni = norms[i] as number;
      // The window's own kernel is symmetric: each pair once, counted twice below.
      for (let j = i + 1; j < n; j++) {
        const d2 = Math.max(0, ni + (norms[j] as number) - 2 * (dots[row + j] as number));
        sYY += Math.exp(-d2 / this.twoSigmaSq);
      }
      for (let a = 0; a < m; a++) {
        const d2 = Math.max(0, ni + (this.sampleNorms[a] as number) - 2 * (dots[row + n + a] as number));
        sXY += Math.exp(-d2 / this.twoSigmaSq);
      }
    }
    return (this.sXX - m) / (m * (m - 1)) + (2 * sYY) / (n * (n - 1)) - (2 * sXY) / (m * n);
  }
}

function rowNorms(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (x[i * d + t] as number) ** 2;
    out[i] = s;
  }
  return out;
}
