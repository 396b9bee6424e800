import { describe, expect, it } from "vitest";
import { fallbackKernels } from "../fallback/index.ts";
import { uniformFloat32 } from "../testing/random.ts";
import { wasmKernels } from "./index.ts";
import { checkExports, inSlices, wasmArena } from "./instance.ts";

describe("wasm arena", () => {
  const wasm = wasmKernels();

  it("has randomFeatures in this build (its glue falls back only for builds from before it)", () => {
    expect(
      typeof wasmArena().exports.randomFeatures,
      "build/kernels.wasm predates randomFeatures: run npm run build -w wasm-kernels",
    ).toBe("function");
  });
  const memoryBytes = () => wasmArena().exports.memory.buffer.byteLength;

  it("streams inputs that are read once through a slice buffer instead of growing memory", () => {
    const [n, d] = [20_000, 512];
    const x = uniformFloat32(n * d, 81);
    const before = memoryBytes();
    const means = wasm.columnMeans(x, n, d);
    expect(Array.from(means)).toEqual(Array.from(fallbackKernels.columnMeans(x, n, d)));
    expect(memoryBytes() - before).toBeLessThan(2 ** 20);
  });

  it("grows memory for a 27 MB job and gives it back to the next call", () => {
    const [n, d] = [1500, 512];
    const z = uniformFloat32(n * d, 82);
    const d2 = wasm.pairwiseSquaredDistances(z, n, d);
    expect(memoryBytes()).toBeGreaterThan(n * n * 8);
    expect(d2[1]).toBeCloseTo(
      fallbackKernels.pairwiseSquaredDistances(z.subarray(0, 2 * d), 2, d)[1] as number,
      9,
    );
    // The arena restarts at the heap base: a small call reuses the same (dirty) memory and must
    // not see the previous call's data, e.g. in counts that accumulate.
    const counts = wasm.histogram(new Float64Array([0.5, 1.5, 1.5]), new Float64Array([1]));
    expect(Array.from(counts)).toEqual([1, 2]);
  });

  it("does not grow across repeated calls of the same size", () => {
    const x = uniformFloat32(3000 * 64, 82);
    const w = uniformFloat32(2 * 64, 83);
    wasm.project(x, 3000, 64, w, 2);
    const before = memoryBytes();
    for (let i = 0; i < 5; i++) wasm.project(x, 3000, 64, w, 2);
    expect(memoryBytes()).toBe(before);
  });

  it("hands out 16-byte aligned, non-overlapping blocks", () => {
    const arena = wasmArena();
    arena.reset();
    const a = arena.alloc(3);
    const b = arena.alloc(40);
    expect(a % 16).toBe(0);
    expect(b % 16).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 3);
    arena.reset();
    expect(arena.alloc(1)).toBe(a);
  });
});

describe("inSlices", () => {
  it("covers [0, total) once, in order, with a short last slice", () => {
    const seen: [number, number][] = [];
    inSlices(10, 4, (start, count) => seen.push([start, count]));
    expect(seen).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ]);
    inSlices(0, 4, () => expect.fail("no slice for an empty job"));
  });
});

describe("checkExports", () => {
  it("accepts the built module and names what a stale build lacks", () => {
    const exports = wasmArena().exports as unknown as WebAssembly.Exports;
    expect(checkExports(exports)).toBe(exports);
    const { shiftF32: _, ...stale } = exports;
    expect(() => checkExports(stale)).toThrow(
      "build/kernels.wasm lacks shiftF32; run npm run build -w wasm-kernels",
    );
  });
});
