import { check } from "../validate.ts";
import { wasmArena } from "./instance.ts";

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
  arena.exports.project(xPtr, n, d, wPtr, k, offsetPtr, outPtr);
  return arena.view(Float64Array, outPtr, n * k).slice();
}
