import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

/** Rows per call, streamed through one buffer: 256 × 512 f32 = 512 KB, which stays in L2. */
const SLICE_ROWS = 256;

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
  const slicePtr = arena.alloc(Math.min(n, SLICE_ROWS) * d * 4);
  const wPtr = arena.copyIn(w);
  // A missing offset is passed as zeros so the kernel has a single code path.
  const offsetPtr = arena.copyIn(offset ?? new Float64Array(k));
  const outPtr = arena.alloc(n * k * 8);
  inSlices(n, SLICE_ROWS, (row, rows) => {
    arena.write(slicePtr, x.subarray(row * d, (row + rows) * d));
    arena.exports.project(slicePtr, rows, d, wPtr, k, offsetPtr, outPtr + row * k * 8);
  });
  return arena.view(Float64Array, outPtr, n * k).slice();
}
