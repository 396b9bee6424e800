import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";

/**
 * WASM `groupSums` (assembly/group-sums.ts): a blocked K·Z product over the upper triangle, one
 * call per block of permutations: 8 (f64x2) on a Float64Array kernel, 16 (f32x4) on a
 * Float32Array one.
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
  const { exports } = arena;
  const kernelPtr = arena.copyIn(kernel);
  const labelsPtr = arena.copyIn(labels);
  // Lane masks: n rows × 64 bytes (8 f64 or 16 f32 lanes), plus 128 bytes for the block's sums.
  const masks = arena.alloc(n * 64 + 128);
  const outPtr = arena.alloc(p * 8);
  const single = kernel instanceof Float32Array;
  const run = single ? exports.groupSumsF32 : exports.groupSumsF64;
  inSlices(p, single ? 16 : 8, (perm, count) => {
    run(kernelPtr, n, labelsPtr + perm * n, count, masks, outPtr + perm * 8);
  });
  return arena.view(Float64Array, outPtr, p).slice();
}
