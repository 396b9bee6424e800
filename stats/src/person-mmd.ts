/**
 * @module
 * MMD² two-sample test whose permutations move *people*, not photos.
 *
 * The row permutation test of `mmd.ts` assumes every embedding is exchangeable with every other.
 * Face streams break that: a reference holds several photos per person, a window of new people
 * is compared with it, and photos of one person sit close together. Swapping single photos
 * between the samples then mixes people the real split never mixes, the permuted statistics come
 * out smaller than a clean window's, and clean windows look significant (issue 12: 6 of 20 clean
 * windows of held-out people had p < 0.05; windows with exact repeats confirmed drift).
 *
 * Here each sample is first cut into people: exact repeats are dropped (a resent or duplicated
 * frame is not a new observation), then rows are grouped by leader clustering at the model's
 * same-person cosine threshold (`quality-window.ts`), on each side separately so a person seen
 * in both samples stays one unit per side. Under "no change" the people of the window are drawn
 * like the reference's people, so the units are exchangeable; the permutation distribution is
 * that of assigning as many units to the reference side as it really has, uniformly at random,
 * and recomputing MMD²_u with the resulting row counts (Good, *Permutation Tests*, ch. 3, on
 * cluster randomisation). A window of a few people photographed many times has few, big units:
 * its statistic is compared with relabellings of equally coarse units and does not look like a
 * change of the input; a blur or a channel swap moves every unit and does.
 *
 * No library offers this (scipy/`torch-two-sample` permute rows), hence by hand; the kernel
 * block sums make each permutation O(U²) in the number of units instead of O(N²) in rows.
 */
import type { Kernels } from "@facedrift/wasm-kernels";
import { distinctRows, leaderClusters } from "./detectors/quality-window.ts";
import { type Matrix, matrixKernels } from "./matrix-input.ts";
import { seededRng } from "./numeric/random.ts";

export interface PersonMmdOptions {
  /** Cosine similarity at or above which two faces are taken for the same person. */
  samePersonThreshold: number;
  /** RBF bandwidth (the reference's frozen σ). */
  sigma: number;
  /** Random relabellings of units (default 1,000); p = (k + 1) / (P + 1). */
  permutations?: number;
  seed?: number;
  /**
   * Stop relabelling once this many permuted statistics reach the observed one (default: never).
   * For a decision at α, ⌈α(P + 1) − 1⌉ stops exactly when p < α can no longer be reached;
   * the p-value is then Besag and Clifford's sequential one, exceedances / relabellings.
   */
  stopAfterExceedances?: number;
  /**
   * The reference rows' people as `leaderClusters` labels them at `samePersonThreshold`, when the
   * caller keeps them (a frozen reference is tested again and again).
   */
  referenceLabels?: Int32Array;
  kernels?: Kernels;
}

export interface PersonMmdResult {
  mmd2Unbiased: number;
  pValue: number;
  /** Relabellings run (fewer than asked when `stopAfterExceedances` ended the loop early). */
  permutations: number;
  /** People (units) found on each side, and the rows they hold after exact repeats were dropped. */
  units: { reference: number; window: number };
  rows: { reference: number; window: number };
  /** Window rows dropped as exact repeats of an earlier row. */
  repeatsDropped: number;
}

/**
 * @example
 * const r = personMmd(refSample, 500, lastRows, 500, 128, { samePersonThreshold: 0.55, sigma: 1.1 });
 * r.pValue; // uniform on clean windows of new people, small when the input changed
 */
export function personMmd(
  reference: Matrix,
  m: number,
  window: Matrix,
  n: number,
  d: number,
  options: PersonMmdOptions,
): PersonMmdResult {
  if (reference.length !== m * d)
    throw new RangeError(`reference has ${reference.length} values, expected ${m}×${d}`);
  if (window.length !== n * d) throw new RangeError(`window has ${window.length} values, expected ${n}×${d}`);
  if (!(options.sigma > 0)) throw new RangeError(`sigma must be positive, got ${options.sigma}`);
  const keep = distinctRows(window, n, d);
  const w = keep.length;
  if (m < 2 || w < 2) throw new RangeError(`a person MMD needs at least 2 distinct rows a side (${m}, ${w})`);

  const size = m + w;
  const pooledArray = new Float64Array(size * d);
  pooledArray.set(reference.subarray(0, m * d));
  keep.forEach((row, i) => {
    pooledArray.set(window.subarray(row * d, (row + 1) * d), (m + i) * d);
  });
  const { data, kernels } = matrixKernels(pooledArray, "pooled sample", options.kernels);
  const gram = kernels.rbfGram(
    kernels.pairwiseSquaredDistances(data, size, d),
    options.sigma * options.sigma,
  );

  // Units: people of the reference side, then people of the window side.
  const refLabels =
    options.referenceLabels ??
    leaderClusters(pooledArray.subarray(0, m * d), m, d, options.samePersonThreshold);
  if (refLabels.length !== m)
    throw new RangeError(`${refLabels.length} reference labels for ${m} reference rows`);
  const winLabels = leaderClusters(pooledArray.subarray(m * d), w, d, options.samePersonThreshold);
  const refUnits = maxLabel(refLabels) + 1;
  const unitOf = new Int32Array(size);
  for (let i = 0; i < m; i++) unitOf[i] = refLabels[i] as number;
  for (let i = 0; i < w; i++) unitOf[m + i] = refUnits + (winLabels[i] as number);
  const units = refUnits + maxLabel(winLabels) + 1;

  // Block sums B[u][v] = Σ k(i, j) over rows i of unit u and j of unit v (diagonal included).
  const blocks = new Float64Array(units * units);
  const rowsIn = new Float64Array(units);
  for (let i = 0; i < size; i++) {
    const u = unitOf[i] as number;
    rowsIn[u] = (rowsIn[u] as number) + 1;
    const base = u * units;
    for (let j = 0; j < size; j++) {
      const v = unitOf[j] as number;
      blocks[base + v] = (blocks[base + v] as number) + (gram[i * size + j] as number);
    }
  }
  // Each person is one observation: the kernel between two people is the mean kernel between
  // their photos, and a person's pairs with itself (same-person photos, exact repeats) are left
  // out like the diagonal of MMD²_u. So unit sizes — a few people photographed many times, or
  // references that keep several photos per person — carry no weight in the statistic.
  for (let u = 0; u < units; u++)
    for (let v = 0; v < units; v++)
      blocks[u * units + v] =
        (blocks[u * units + v] as number) / ((rowsIn[u] as number) * (rowsIn[v] as number));
  // Off-diagonal row sums: with them a split's three block sums follow from one of them.
  const offRow = new Float64Array(units);
  let total = 0;
  for (let u = 0; u < units; u++) {
    let sum = 0;
    for (let v = 0; v < units; v++) if (u !== v) sum += blocks[u * units + v] as number;
    offRow[u] = sum;
    total += sum;
  }
  const a = refUnits;
  const b = units - refUnits;
  if (a < 2 || b < 2)
    throw new RangeError(`a person MMD needs at least 2 people a side (found ${a} and ${b})`);

  const inX = new Uint8Array(units);
  const members = new Int32Array(Math.min(a, b));
  /**
   * MMD²_u of the split `inX`. Only the smaller side's within sum S is gathered (its members in
   * ascending order, each pair once: min(a, b)²/2 reads, where summing the whole table reads
   * units²): the side's row sums R give its cross sum C = R − S, and the other side's within
   * sum is total − S − 2C. A permutation loop over 1,000 units is ~8× cheaper for it.
   */
  const statistic = (): number => {
    const side = a <= b ? 1 : 0;
    let count = 0;
    let rowSum = 0;
    for (let u = 0; u < units; u++)
      if (inX[u] === side) {
        members[count++] = u;
        rowSum += offRow[u] as number;
      }
    let pairs = 0;
    for (let i = 1; i < count; i++) {
      const base = (members[i] as number) * units;
      for (let j = 0; j < i; j++) pairs += blocks[base + (members[j] as number)] as number;
    }
    const within = 2 * pairs;
    const cross = rowSum - within;
    const other = total - within - 2 * cross;
    const [sXX, sYY] = side === 1 ? [within, other] : [other, within];
    return sXX / (a * (a - 1)) + sYY / (b * (b - 1)) - (2 * cross) / (a * b);
  };

  inX.fill(1, 0, refUnits);
  const observed = statistic();
  const permutations = options.permutations ?? 1000;
  const rng = seededRng(options.seed ?? 0);
  const order = Int32Array.from({ length: units }, (_, i) => i);
  // Sequential stopping (Besag & Clifford 1991): once `stopAfter` permuted statistics reach the
  // observed one, p = stopAfter / permutations run is a valid p-value and no further relabelling
  // can bring it below a level it already exceeds.
  const stopAfter = options.stopAfterExceedances ?? Number.POSITIVE_INFINITY;
  let atLeast = 0;
  let run = 0;
  while (run < permutations && atLeast < stopAfter) {
    // Partial Fisher–Yates: the first `refUnits` of a uniform shuffle go to the reference side.
    inX.fill(0);
    for (let i = 0; i < refUnits; i++) {
      const j = i + Math.floor(rng() * (units - i));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
      inX[order[i] as number] = 1;
    }
    run++;
    // A relative tolerance: the same split summed in another order must count as "at least".
    if (statistic() >= observed - 1e-12 * Math.abs(observed)) atLeast++;
  }
  const stopped = atLeast >= stopAfter && run < permutations;
  return {
    mmd2Unbiased: observed,
    pValue: stopped ? atLeast / run : (atLeast + 1) / (permutations + 1),
    permutations: run,
    units: { reference: refUnits, window: units - refUnits },
    rows: { reference: m, window: w },
    repeatsDropped: n - w,
  };
}

function maxLabel(labels: Int32Array): number {
  let max = -1;
  for (const l of labels) if (l > max) max = l;
  return max;
}
