import { check } from "../validate.ts";
import { wasmArena } from "./instance.ts";

/** WASM `columnMeans` (assembly/covariance.ts): f64x2 column sums in row order. */
export function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  check.columnMeans(x, n, d);
  const arena = wasmArena();
  arena.reset();
  const xPtr = arena.copyIn(x);
  const outPtr = arena.alloc(d * 8);
  arena.exports.columnMeans(xPtr, n, d, outPtr);
  return arena.view(Float64Array, outPtr, d).slice();
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
  const padded = (d + 3) & ~3;
  const xPtr = arena.copyIn(x);
  const meanPtr = arena.copyIn(mean);
  const panels = arena.alloc(exports.crossProductBlockRows() * padded * 8);
  const acc = arena.alloc(padded * padded * 8);
  const outPtr = arena.alloc(d * d * 8);
  exports.centeredCrossProduct(xPtr, n, d, meanPtr, panels, acc, outPtr);
  return arena.view(Float64Array, outPtr, d * d).slice();
}
