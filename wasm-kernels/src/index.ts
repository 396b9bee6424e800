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

/**
 * The fastest backend available: WASM SIMD when supported, else the TypeScript fallback;
 * `name` says which. Also falls back when the engine refuses to compile WebAssembly at all
 * (a browser page whose Content-Security-Policy lacks 'wasm-unsafe-eval'). Call
 * `wasmKernels()` directly to see that error instead.
 */
export function kernels(): Kernels {
  if (!simdSupported()) return fallbackKernels;
  try {
    return wasmKernels();
  } catch {
    return fallbackKernels;
  }
}
