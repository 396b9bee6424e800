import { check } from "../validate.ts";

/** Plain TypeScript `project` (see Kernels.project); dot products in f64. */
export function project(
  x: Float32Array,
  n: number,
  d: number,
  w: Float32Array,
  k: number,
  offset?: Float64Array,
): Float64Array {
  check.project(x, n, d, w, k, offset);
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < k; j++) {
      const dir = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += (x[row + t] as number) * (w[dir + t] as number);
      out[i * k + j] = s - (offset ? (offset[j] as number) : 0);
    }
  }
  return out;
}
