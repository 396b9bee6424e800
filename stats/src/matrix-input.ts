/**
 * Routes a sample matrix to the kernels without losing bits. The WASM kernels take f32 input
 * (embeddings are f32 at the source, and f32 halves memory traffic). A Float64Array whose values
 * are all exactly representable in f32 is converted losslessly and takes the fast path; one
 * with more bits stays f64 and goes to the TypeScript kernels, which accumulate in f64 either way.
 */
import { fallbackKernels, type Kernels, kernels } from "@facedrift/wasm-kernels";

export type Matrix = Float32Array | Float64Array;

export function assertFinite(x: ArrayLike<number>, name: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]))
      throw new RangeError(`${name}[${i}] is ${x[i]}; values must be finite numbers`);
  }
}

/**
 * @param preferred the kernels to use when precision allows (default: the fastest available);
 *   benchmarks pass the TypeScript fallback here to time the baseline.
 */
export function matrixKernels(
  x: Matrix,
  name: string,
  preferred: Kernels = kernels(),
): { data: Float32Array; kernels: Kernels } {
  assertFinite(x, name);
  if (x instanceof Float32Array) return { data: x, kernels: preferred };
  const f32 = Float32Array.from(x);
  for (let i = 0; i < x.length; i++) {
    if (f32[i] !== x[i]) {
      // The TypeScript kernels only index the array, so an f64 array keeps full precision there.
      return { data: x as unknown as Float32Array, kernels: fallbackKernels };
    }
  }
  return { data: f32, kernels: preferred };
}
