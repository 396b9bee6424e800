// One small check, like tfjs's flags_wasm.ts: does this engine validate a module that uses a
// v128 instruction? (The bytes are wasm-feature-detect's SIMD probe: i8x16.splat + popcnt.)
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

let supported: boolean | undefined;

/** Whether WebAssembly with 128-bit SIMD is available here (cached after the first call). */
export function simdSupported(): boolean {
  if (supported === undefined) {
    supported = typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  }
  return supported;
}
