import { check } from "../validate.ts";

/** Plain TypeScript `pairwiseSquaredDistances`: direct differences in f64, upper triangle mirrored. */
export function pairwiseSquaredDistances(z: Float32Array, n: number, d: number): Float64Array {
  check.pairwiseSquaredDistances(z, n, d);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = (z[i * d + t] as number) - (z[j * d + t] as number);
        s += diff * diff;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
