import { describe, expect, it } from "vitest";
import { fallbackKernels, kernels, simdSupported, wasmKernels } from "./index.ts";
import { expectClose, kernelContract } from "./kernels.case.ts";
import { randomSplits, uniformFloat32 } from "./testing/random.ts";

describe.each([
  ["typescript", fallbackKernels],
  ["wasm-simd", wasmKernels()],
])("%s kernels", (name, backend) => {
  it("names itself", () => expect(backend.name).toBe(name));
  kernelContract(backend);
});

describe("backend choice", () => {
  it("kernels() picks WASM SIMD exactly when it is supported", () => {
    expect(kernels().name).toBe(simdSupported() ? "wasm-simd" : "typescript");
  });

  it("Node 20 supports WebAssembly SIMD", () => expect(simdSupported()).toBe(true));
});

// The two backends side by side on one realistic input each (the contract suite already pins
// both to the naive references; this shows the documented gap between them directly).
describe("wasm-simd and typescript agree", () => {
  const wasm = wasmKernels();

  it("on a 512-D PC1 projection within f32 accumulation error", () => {
    const x = uniformFloat32(200 * 512, 71);
    const w = uniformFloat32(512, 72);
    const expected = fallbackKernels.project(x, 200, 512, w, 1);
    expectClose(wasm.project(x, 200, 512, w, 1), expected, new Array(200).fill(1e-4));
  });

  it("on MMD group sums for the f64 kernel to 1e-12 and the f32 copy to 1e-6, relative", () => {
    const n = 200;
    const z = uniformFloat32(n * 32, 73);
    const gram = fallbackKernels.rbfGram(fallbackKernels.pairwiseSquaredDistances(z, n, 32), 16);
    const labels = randomSplits(n, n / 2, 40, 74);
    const expected = fallbackKernels.groupSums(gram, n, labels, 40);
    expectClose(
      wasm.groupSums(gram, n, labels, 40),
      expected,
      Array.from(expected, (s) => s * 1e-12),
    );
    const fromF32 = wasm.groupSums(new Float32Array(gram), n, labels, 40);
    expectClose(
      fromF32,
      expected,
      Array.from(expected, (s) => s * 1e-6),
    );
  });
});
