import { check } from "../validate.ts";

/** Plain TypeScript `columnMeans`: each column summed in row order in f64, then divided by n. */
export function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  check.columnMeans(x, n, d);
  const sums = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) sums[t] = (sums[t] as number) + (x[i * d + t] as number);
  }
  for (let t = 0; t < d; t++) sums[t] = (sums[t] as number) / n;
  return sums;
}

/**
 * Plain TypeScript `centeredCrossProduct`. Four centred rows are folded into each pass over
 * the upper triangle, so every accumulator is loaded and stored once per four rows.
 */
export function centeredCrossProduct(
  x: Float32Array,
  n: number,
  d: number,
  mean: Float64Array,
): Float64Array {
  check.centeredCrossProduct(x, n, d, mean);
  const acc = new Float64Array(d * d);
  // Four centred rows, zero when n is not a multiple of 4 so the last pass adds nothing extra.
  const a = [new Float64Array(d), new Float64Array(d), new Float64Array(d), new Float64Array(d)] as const;
  for (let i0 = 0; i0 < n; i0 += 4) {
    for (const [r, row] of a.entries()) {
      if (i0 + r >= n) row.fill(0);
      else for (let t = 0; t < d; t++) row[t] = (x[(i0 + r) * d + t] as number) - (mean[t] as number);
    }
    const [a0, a1, a2, a3] = a;
    for (let p = 0; p < d; p++) {
      const p0 = a0[p] as number;
      const p1 = a1[p] as number;
      const p2 = a2[p] as number;
      const p3 = a3[p] as number;
      const base = p * d;
      for (let q = p; q < d; q++) {
        acc[base + q] =
          (acc[base + q] as number) +
          p0 * (a0[q] as number) +
          p1 * (a1[q] as number) +
          p2 * (a2[q] as number) +
          p3 * (a3[q] as number);
      }
    }
  }
  for (let p = 0; p < d; p++) {
    for (let q = p + 1; q < d; q++) acc[q * d + p] = acc[p * d + q] as number;
  }
  return acc;
}
