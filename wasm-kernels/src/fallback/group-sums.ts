import { check } from "../validate.ts";

/**
 * Plain TypeScript `groupSums`: for each permutation, gather the members of group X and add up
 * the kernel over all their pairs (the straightforward P re-gathers the WASM kernel avoids).
 */
export function groupSums(
  kernel: Float64Array | Float32Array,
  n: number,
  labels: Uint8Array,
  p: number,
): Float64Array {
  check.groupSums(kernel, n, labels, p);
  const out = new Float64Array(p);
  const members = new Int32Array(n);
  for (let perm = 0; perm < p; perm++) {
    let count = 0;
    for (let i = 0; i < n; i++) if (labels[perm * n + i] !== 0) members[count++] = i;
    let s = 0;
    for (let a = 0; a < count; a++) {
      const row = (members[a] as number) * n;
      for (let b = 0; b < count; b++) s += kernel[row + (members[b] as number)] as number;
    }
    out[perm] = s;
  }
  return out;
}
