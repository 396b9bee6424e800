import { check } from "../validate.ts";
import { wasmArena } from "./instance.ts";

/**
 * WASM `groupSums` (assembly/group-sums.ts): a blocked K·Z product over the upper triangle,
 * 8 permutations per pass on a Float64Array kernel, 16 per pass (f32x4) on a Float32Array one.
 */
export function groupSums(
  kernel: Float64Array | Float32Array,
  n: number,
  labels: Uint8Array,
  p: number,
): Float64Array {
  check.groupSums(kernel, n, labels, p);
  const arena = wasmArena();
  arena.reset();
  const kernelPtr = arena.copyIn(kernel);
  const labelsPtr = arena.copyIn(labels);
  // Lane masks: n rows × 64 bytes (8 f64 or 16 f32 lanes), plus 128 bytes for the block's sums.
  const masks = arena.alloc(n * 64 + 128);
  const outPtr = arena.alloc(p * 8);
  if (kernel instanceof Float32Array) arena.exports.groupSumsF32(kernelPtr, n, labelsPtr, p, masks, outPtr);
  else arena.exports.groupSumsF64(kernelPtr, n, labelsPtr, p, masks, outPtr);
  return arena.view(Float64Array, outPtr, p).slice();
}
