/**
 * @module
 * MMD² of resampled windows without recomputing Gram matrices. `mmd()` rebuilds the (500 + n)²
 * kernel matrix for every call, ~55–100 ms at 128-D, and both the benchmark (bench/quality) and
 * the MMD window's calibration (detectors/mmd-window.ts) score thousands of windows drawn from
 * one pool. So the RBF kernel (same bandwidth, same `rbfGram` kernel) is tabulated once per
 * pool — reference sample × pool and pool × pool — and a window's unbiased MMD² is assembled from
 * row indices. `mmd-table.test.ts` checks it equals
 * `mmd()` on the materialised window.
 */
import { kernels } from "@facedrift/wasm-kernels";

export interface MmdTable {
  m: number;
  poolSize: number;
  /** Σ over all reference pairs (diagonal included) of k(x_a, x_b). */
  sXX: number;
  /** Σ_a k(pool_i, x_a) for each pool row i. */
  crossSums: Float64Array;
  /** k(pool_i, pool_j), poolSize² row-major. */
  poolKernel: Float64Array;
}

export function mmdTable(
  reference: Float32Array,
  m: number,
  pool: Float32Array,
  poolSize: number,
  d: number,
  sigma: number,
): MmdTable {
  const size = m + poolSize;
  const pooled = new Float32Array(size * d);
  pooled.set(reference.subarray(0, m * d));
  pooled.set(pool.subarray(0, poolSize * d), m * d);
  const k = kernels();
  const gram = k.rbfGram(k.pairwiseSquaredDistances(pooled, size, d), sigma * sigma);
  let sXX = 0;
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sXX += gram[a * size + b] as number;
  const crossSums = new Float64Array(poolSize);
  const poolKernel = new Float64Array(poolSize * poolSize);
  for (let i = 0; i < poolSize; i++) {
    const row = (m + i) * size;
    let s = 0;
    for (let a = 0; a < m; a++) s += gram[row + a] as number;
    crossSums[i] = s;
    for (let j = 0; j < poolSize; j++) poolKernel[i * poolSize + j] = gram[row + m + j] as number;
  }
  return { m, poolSize, sXX, crossSums, poolKernel };
}

/** Unbiased MMD² between the reference sample and the window of pool rows `rows` (repeats allowed). */
export function windowMmd2(table: MmdTable, rows: ArrayLike<number>): number {
  const n = rows.length;
  const { m, poolSize } = table;
  // Ascending rows walk each table row forwards (the table is megabytes: cache misses dominate),
  // and the symmetric kernel needs only the pairs i < j.
  const sorted = Int32Array.from(rows).sort();
  let offDiagonal = 0;
  let sXY = 0;
  for (let i = 0; i < n; i++) {
    const ri = sorted[i] as number;
    sXY += table.crossSums[ri] as number;
    const base = ri * poolSize;
    let s = 0;
    for (let j = i + 1; j < n; j++) s += table.poolKernel[base + (sorted[j] as number)] as number;
    offDiagonal += 2 * s;
  }
  // The diagonals are exactly 1 (exp(0)), as in stats/src/mmd.ts; a repeated row is an off-diagonal 1.
  return (table.sXX - m) / (m * (m - 1)) + offDiagonal / (n * (n - 1)) - (2 * sXY) / (m * n);
}
