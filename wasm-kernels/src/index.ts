/**
 * @module Hot loops of the drift statistics: WebAssembly SIMD kernels compiled from
 * assembly/ (AssemblyScript) and plain TypeScript fallbacks under the same names.
 *
 * @example
 * ```ts
 * const k = kernels(); // k.name === "wasm-simd" wherever WebAssembly SIMD exists
 * const scores = k.project(embeddings, n, 512, pc1, 1, new Float64Array([meanScore]));
 * ```
 */
import { fallbackKernels } from "./fallback/index.ts";
import type { Kernels } from "./kernels.ts";
import { simdSupported } from "./simd.ts";
import { wasmKernels } from "./wasm/index.ts";

export { fallbackKernels } from "./fallback/index.ts";
export type { Kernels } from "./kernels.ts";
export { simdSupported } from "./simd.ts";
export { wasmKernels } from "./wasm/index.ts";

/** The fastest backend available: WASM SIMD when supported, else the TypeScript fallback. */
export function kernels(): Kernels {
  return simdSupported() ? wasmKernels() : fallbackKernels;
}
