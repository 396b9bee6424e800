import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

/** Rows per columnSums call, streamed through one buffer: 256 × 512 f32 = 512 KB. */
const SLICE_ROWS = 256;

/** WASM `columnMeans` (assembly/covariance.ts): f64x2 column sums in row order, then / n. */
export function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  check.columnMeans(x, n, d);
  const arena = wasmArena();
  arena.reset();
  const slicePtr = arena.alloc(Math.min(n, SLICE_ROWS) * d * 4);
  const sumsPtr = arena.zeroed(d * 8);
  inSlices(n, SLICE_ROWS, (row, rows) => {
    arena.write(slicePtr, x.subarray(row * d, (row + rows) * d));
    arena.exports.columnSums(slicePtr, rows, d, sumsPtr);
  });
  // Divided here exactly as the fallback does, so both give the same bits.
  return arena.view(Float64Array, sumsPtr, d).map((sum) => sum / n);
}

/** WASM `centeredCrossProduct`: f64 panels of centred rows, 4×4 f64x2 tiles, upper triangle. */
export function centeredCrossProduct(
  x: Float32Array,
  n: number,
  d: number,
  mean: Float64Array,
): Float64Array {
  check.centeredCrossProduct(x, n, d, mean);
  const arena = wasmArena();
  arena.reset();
  const { exports } = arena;
  const blockRows = exports.crossProductBlockRows();
  const padded = (d + 3) & ~3;
  const slicePtr = arena.alloc(Math.min(n, blockRows) * d * 4);
  const meanPtr = arena.copyIn(mean);
  const panels = arena.alloc(blockRows * padded * 8);
  const acc = arena.zeroed(padded * padded * 8);
  const outPtr = arena.alloc(d * d * 8);
  inSlices(n, blockRows, (row, rows) => {
    arena.write(slicePtr, x.subarray(row * d, (row + rows) * d));
    exports.crossProductBlock(slicePtr, rows, d, meanPtr, panels, acc);
  });
  exports.symmetrize(acc, d, outPtr);
  return arena.view(Float64Array, outPtr, d * d).slice();
}
