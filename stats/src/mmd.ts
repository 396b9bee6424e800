/**
 * Maximum mean discrepancy between two samples with a Gaussian RBF kernel
 * k(x, y) = exp(−‖x−y‖²/(2σ²)) (Gretton et al., "A kernel two-sample test", JMLR 2012).
 *
 * - σ defaults to the median heuristic over ALL pairs of the pooled sample [X; Y] (mean of the
 *   two middle distances when their count is even, like numpy's median).
 * - MMD²_u drops the diagonal terms (unbiased, can be negative); MMD²_b keeps them.
 * - The permutation test reuses one Gram matrix: each permutation only needs S_XX, the kernel sum
 *   over the pairs inside the permuted X (the `groupSums` kernel, many permutations per pass);
 *   S_XY and S_YY follow from row sums and the total. p = (k+1)/(P+1), where k counts permuted
 *   statistics ≥ the observed one. The observed statistic goes through the same arithmetic as
 *   the permuted ones, so rounding can never tip the comparison.
 *
 * @example
 * ```ts
 * const r = mmd(x, 500, y, 500, 512, { permutations: 1000, seed: 7 });
 * // r.sigma, r.mmd2Unbiased, r.mmd2Biased, r.pValue
 * ```
 */
import type { Kernels } from "@facedrift/wasm-kernels";
import { type Matrix, matrixKernels } from "./matrix-input.ts";
import { randomSubsetLabels, seededRng } from "./numeric/random.ts";
import { selectInPlace } from "./numeric/select.ts";

export interface MmdOptions {
  /** Number of permutations for the p-value (0 = no test). */
  permutations?: number;
  /** Seed of the permutation RNG; the result is a pure function of inputs and seed. */
  seed?: number;
  /** Fixed bandwidth (e.g. frozen with a reference set) instead of the median heuristic. */
  sigma?: number;
  /** Kernel backend (default: WASM SIMD where available); benchmarks pass the fallback. */
  kernels?: Kernels;
}

export interface MmdResult {
  sigma: number;
  mmd2Unbiased: number;
  mmd2Biased: number;
  /** Present when permutations were asked for. */
  pValue?: number;
  permutations?: number;
}

/** Kernel sums of a split of the pooled sample into X (first m) and Y (the other n). */
interface SplitSums {
  sXX: number;
  sYY: number;
  sXY: number;
}

function mmd2FromSums({ sXX, sYY, sXY }: SplitSums, m: number, n: number) {
  // The RBF diagonal is exactly 1 (exp(0)), so the off-diagonal sums are S − m and S − n.
  return {
    unbiased: (sXX - m) / (m * (m - 1)) + (sYY - n) / (n * (n - 1)) - (2 * sXY) / (m * n),
    biased: sXX / (m * m) + sYY / (n * n) - (2 * sXY) / (m * n),
  };
}

/** Median of the Euclidean distances over the strict upper triangle of a squared-distance matrix. */
export function medianPairwiseDistance(d2: Float64Array, size: number): number {
  const pairs = new Float64Array((size * (size - 1)) / 2);
  let at = 0;
  for (let i = 0; i < size; i++) {
    pairs.set(d2.subarray(i * size + i + 1, (i + 1) * size), at);
    at += size - i - 1;
  }
  const half = pairs.length >> 1;
  const upper = selectInPlace(pairs, half);
  if (pairs.length % 2 === 1) return Math.sqrt(upper);
  // The lower middle is the largest value left of the upper one after selection.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < half; i++) lower = Math.max(lower, pairs[i] as number);
  return (Math.sqrt(lower) + Math.sqrt(upper)) / 2;
}

export function mmd(
  x: Matrix,
  m: number,
  y: Matrix,
  n: number,
  d: number,
  options: MmdOptions = {},
): MmdResult {
  checkSample(x, m, d, "X");
  checkSample(y, n, d, "Y");
  const pooledArray =
    x instanceof Float32Array && y instanceof Float32Array
      ? new Float32Array(x.length + y.length)
      : new Float64Array(x.length + y.length);
  pooledArray.set(x);
  pooledArray.set(y, x.length);
  const { data, kernels } = matrixKernels(pooledArray, "pooled sample", options.kernels);
  const size = m + n;
  const gram = kernels.pairwiseSquaredDistances(data, size, d);
  const sigma = options.sigma ?? medianPairwiseDistance(gram, size);
  if (!(sigma > 0)) throw new RangeError("bandwidth is 0: all points are identical");
  kernels.rbfGram(gram, sigma * sigma);

  const exact = splitSums(gram, size, m);
  const observed = mmd2FromSums(exact, m, n);
  const result: MmdResult = { sigma, mmd2Unbiased: observed.unbiased, mmd2Biased: observed.biased };
  const permutations = options.permutations ?? 0;
  if (permutations > 0) {
    result.pValue = permutationPValue(kernels, gram, size, m, permutations, options.seed ?? 0);
    result.permutations = permutations;
  }
  return result;
}

function checkSample(sample: Matrix, rows: number, d: number, name: string): void {
  if (!Number.isInteger(rows) || rows < 2) throw new RangeError(`${name} needs at least 2 rows, got ${rows}`);
  if (sample.length !== rows * d)
    throw new RangeError(`${name} has ${sample.length} values, expected ${rows}×${d}`);
}

/** Exact f64 block sums of the Gram matrix for the split X = rows [0, m). */
function splitSums(gram: Float64Array, size: number, m: number): SplitSums {
  let sXX = 0;
  let sYY = 0;
  let sXY = 0;
  for (let i = 0; i < size; i++) {
    const row = i * size;
    for (let j = 0; j < size; j++) {
      const k = gram[row + j] as number;
      if (i < m && j < m) sXX += k;
      else if (i >= m && j >= m) sYY += k;
      else if (i < m) sXY += k;
    }
  }
  return { sXX, sYY, sXY };
}

/**
 * Unbiased MMD² of every labelling in `labels` (rows × size, 1 = in X with m ones per row), from
 * one Gram matrix: S_XX per row from the batched `groupSums` kernel, S_XY and S_YY from row sums.
 */
function labelledStatistics(
  kernels: Kernels,
  gram: Float64Array,
  size: number,
  m: number,
  labels: Uint8Array,
) {
  const rows = labels.length / size;
  const rowSums = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    let s = 0;
    for (let j = 0; j < size; j++) s += gram[i * size + j] as number;
    rowSums[i] = s;
    total += s;
  }
  const inside = kernels.groupSums(gram, size, labels, rows);
  const statistics = new Float64Array(rows);
  for (let p = 0; p < rows; p++) {
    let rowSumX = 0;
    for (let i = 0; i < size; i++) if (labels[p * size + i]) rowSumX += rowSums[i] as number;
    const sXX = inside[p] as number;
    const sXY = rowSumX - sXX;
    statistics[p] = mmd2FromSums({ sXX, sXY, sYY: total - sXX - 2 * sXY }, m, size - m).unbiased;
  }
  return statistics;
}

function permutationPValue(
  kernels: Kernels,
  gram: Float64Array,
  size: number,
  m: number,
  permutations: number,
  seed: number,
): number {
  // Row 0 is the observed split; rows 1…P are random relabellings.
  const labels = new Uint8Array((permutations + 1) * size);
  labels.fill(1, 0, m);
  randomSubsetLabels(labels.subarray(size), permutations, size, m, seededRng(seed));
  const statistics = labelledStatistics(kernels, gram, size, m, labels);
  const observed = statistics[0] as number;
  let atLeast = 0;
  for (let p = 1; p <= permutations; p++) if ((statistics[p] as number) >= observed) atLeast++;
  return (atLeast + 1) / (permutations + 1);
}

export interface MmdNullOptions {
  /** Number of random half/half splits (default 200). */
  splits?: number;
  seed?: number;
  /** Bandwidth to use (default: median heuristic over the pool). */
  sigma?: number;
  kernels?: Kernels;
}

/**
 * The null distribution of MMD²_u from reference-only data: the pool is split at random into two
 * halves many times, reusing one Gram matrix. Its upper quantile is a threshold for "this much
 * MMD² happens without any drift" at the pool's half size. Returned sorted ascending.
 */
export function mmdNullDistribution(
  pool: Matrix,
  size: number,
  d: number,
  options: MmdNullOptions = {},
): { sigma: number; statistics: Float64Array } {
  checkSample(pool, size, d, "reference pool");
  if (size < 4) throw new RangeError(`reference pool needs at least 4 rows, got ${size}`);
  const { data, kernels } = matrixKernels(pool, "reference pool", options.kernels);
  const gram = kernels.pairwiseSquaredDistances(data, size, d);
  const sigma = options.sigma ?? medianPairwiseDistance(gram, size);
  if (!(sigma > 0)) throw new RangeError("bandwidth is 0: all points are identical");
  kernels.rbfGram(gram, sigma * sigma);
  const splits = options.splits ?? 200;
  const half = size >> 1;
  const labels = new Uint8Array(splits * size);
  randomSubsetLabels(labels, splits, size, half, seededRng(options.seed ?? 0));
  return { sigma, statistics: labelledStatistics(kernels, gram, size, half, labels).sort() };
}
