import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

/** Rows of the upper triangle per call (even, as the kernel works on row pairs). */
const SLICE_ROWS = 16;

/** WASM `pairwiseSquaredDistances` (assembly/pairwise-squared-distances.ts): f64x2, 2×2 blocks. */
export function pairwiseSquaredDistances(z: Float32Array, n: number, d: number): Float64Array {
  check.pairwiseSquaredDistances(z, n, d);
  const arena = wasmArena();
  arena.reset();
  const { exports } = arena;
  const zPtr = arena.copyIn(z);
  const paddedRows = (n + 1) & ~1;
  // The f64 copy of z, rows and columns padded to even counts.
  const scratch = arena.alloc(paddedRows * ((d + 1) & ~1) * 8);
  const outPtr = arena.alloc(n * n * 8);
  exports.widenRows(zPtr, n, d, scratch);
  inSlices(paddedRows, SLICE_ROWS, (row, rows) =>
    exports.distanceRows(scratch, n, d, row, row + rows, outPtr),
  );
  return arena.view(Float64Array, outPtr, n * n).slice();
}
