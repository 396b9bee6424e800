import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

/** Rows per call: 1024 × 512 f32 = 2 MB. */
const SLICE_ROWS = 1024;

/** WASM `project` (assembly/project.ts): f32x4 dot products, f64 output. */
export function project(
  x: Float32Array,
  n: number,
  d: number,
  w: Float32Array,
  k: number,
  offset?: Float64Array,
): Float64Array {
  check.project(x, n, d, w, k, offset);
  const arena = wasmArena();
  arena.reset();
  const xPtr = arena.copyIn(x);
  const wPtr = arena.copyIn(w);
  // A missing offset is passed as zeros so the kernel has a single code path.
  const offsetPtr = arena.copyIn(offset ?? new Float64Array(k));
  const outPtr = arena.alloc(n * k * 8);
  inSlices(n, SLICE_ROWS, (row, rows) => {
    arena.exports.project(xPtr + row * d * 4, rows, d, wPtr, k, offsetPtr, outPtr + row * k * 8);
  });
  return arena.view(Float64Array, outPtr, n * k).slice();
}
