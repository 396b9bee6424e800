import { check } from "../validate.ts";
import { wasmArena } from "./instance.ts";

/** WASM `pairwiseSquaredDistances` (assembly/pairwise-squared-distances.ts): f64x2, 2×2 blocks. */
export function pairwiseSquaredDistances(z: Float32Array, n: number, d: number): Float64Array {
  check.pairwiseSquaredDistances(z, n, d);
  const arena = wasmArena();
  arena.reset();
  const zPtr = arena.copyIn(z);
  // f64 copy of z, rows and columns padded to even counts (see the kernel's doc comment).
  const scratch = arena.alloc(((n + 1) & ~1) * ((d + 1) & ~1) * 8);
  const outPtr = arena.alloc(n * n * 8);
  arena.exports.pairwiseSquaredDistances(zPtr, n, d, scratch, outPtr);
  return arena.view(Float64Array, outPtr, n * n).slice();
}
