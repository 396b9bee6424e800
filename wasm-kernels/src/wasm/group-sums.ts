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
  if (!(kernel instanceof Float32Array)) {
    inSlices(p, 8, (perm, count) => {
      exports.groupSumsF64(kernelPtr, n, labelsPtr + perm * n, count, masks, outPtr + perm * 8);
    });
    return arena.view(Float64Array, outPtr, p).slice();
  }
  // f32: sum K − c with c about the mean entry; the kernel adds c·|X|² back, since
  // S_XX(K) = S_XX(K − c) + c·|X|². The centred entries are small, so the f32 partial sums
  // round ~5× less.
  const shift = sampledMean(kernel);
  inSlices(n * n, SLICE, (start, count) => exports.shiftF32(kernelPtr + start * 4, count, shift));
  inSlices(p, 16, (perm, count) => {
    exports.groupSumsF32(kernelPtr, n, labelsPtr + perm * n, count, masks, outPtr + perm * 8, shift);
  });
  return arena.view(Float64Array, outPtr, p).slice();
}

const SLICE = 65536;

/** Mean of up to ~4096 evenly spaced entries: any c near the typical entry does the job. */
function sampledMean(kernel: Float32Array): number {
  const step = Math.max(1, Math.floor(kernel.length / 4096));
  let sum = 0;
  let count = 0;
  for (let i = 0; i < kernel.length; i += step, count++) sum += kernel[i] as number;
  return count > 0 ? sum / count : 0;
}
