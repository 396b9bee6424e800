// The package must run bundled, in a context without Node: a Vite IIFE build (the format of a
// classic web worker) of src/index.ts is evaluated in a bare `vm` context that has only the
// web platform pieces the kernels use (WebAssembly, atob), with no require, process or fs.
import { runInNewContext } from "node:vm";
import { build } from "vite";
import { describe, expect, it } from "vitest";

describe("Vite bundle", () => {
  it("instantiates synchronously and computes in a context without Node", async () => {
    const output = await build({
      configFile: false,
      logLevel: "silent",
      build: {
        write: false,
        minify: false,
        lib: {
          entry: new URL("./index.ts", import.meta.url).pathname,
          formats: ["iife"],
          name: "facedriftKernels",
        },
      },
    });
    const first = Array.isArray(output) ? output[0] : output;
    const chunk = first && "output" in first ? first.output[0] : undefined;
    if (chunk?.type !== "chunk") throw new Error("Vite produced no bundle");
    const result = runInNewContext(
      `${chunk.code}
      const k = facedriftKernels.kernels();
      const scores = k.project(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3, new Float32Array([1, 0, 1]), 1);
      ({ name: k.name, scores: Array.from(scores), hasProcess: typeof process !== "undefined" })`,
      { WebAssembly, atob },
    );
    expect(result).toEqual({ name: "wasm-simd", scores: [4, 10], hasProcess: false });
  }, 30_000);
});
