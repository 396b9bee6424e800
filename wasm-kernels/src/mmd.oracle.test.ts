// The MMD oracles (/work/shared/oracles/batch/mmd_*.json, see its README): the bandwidth σ is
// the median pooled distance and must match numpy bit for bit, which the f64 distance kernel
// guarantees for these dyadic inputs; group sums must then give MMD² to the oracle's 1e-10.
// The oracle files live outside the repository, so the suite is skipped where they are absent.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fallbackKernels, wasmKernels } from "./index.ts";

const oracleDir =
  process.env.FACEDRIFT_ORACLES ?? new URL("../../../shared/oracles", import.meta.url).pathname;
const cases = ["mmd_1_no_shift", "mmd_2_mean_shift"].map((name) => `${oracleDir}/batch/${name}.json`);

interface MmdOracle {
  X: number[];
  X_shape: [number, number];
  Y: number[];
  Y_shape: [number, number];
  sigma: number;
  sigma_sq: number;
  median_middle_two_distances: [number, number];
  mmd2_unbiased: number;
}

/** The oracle and its pooled sample, read on first use (not while collecting a skipped suite). */
const load = (() => {
  const cache = new Map<
    string,
    { oracle: MmdOracle; pooled: Float32Array; m: number; n: number; d: number }
  >();
  return (file: string) => {
    let entry = cache.get(file);
    if (!entry) {
      const oracle = JSON.parse(readFileSync(file, "utf8")) as MmdOracle;
      const [m, d] = oracle.X_shape;
      entry = {
        oracle,
        pooled: new Float32Array([...oracle.X, ...oracle.Y]),
        m,
        n: m + oracle.Y_shape[0],
        d,
      };
      cache.set(file, entry);
    }
    return entry;
  };
})();

// Skipped, not failed, where the oracle folder is absent: it lives outside the repository.
describe.skipIf(!cases.every((file) => existsSync(file)))("MMD oracles", () => {
  describe.each(cases)("%s", (file) => {
    describe.each([
      ["typescript", fallbackKernels],
      ["wasm-simd", wasmKernels()],
    ])("%s", (_, kernels) => {
      it("median pooled distance equals the oracle σ bit for bit", () => {
        const { oracle, pooled, n, d } = load(file);
        const d2 = kernels.pairwiseSquaredDistances(pooled, n, d);
        const distances: number[] = [];
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++) distances.push(Math.sqrt(d2[i * n + j] as number));
        distances.sort((a, b) => a - b);
        const middle = [distances[distances.length / 2 - 1], distances[distances.length / 2]];
        expect(middle).toEqual(oracle.median_middle_two_distances);
        const [low, high] = oracle.median_middle_two_distances;
        expect(((middle[0] as number) + (middle[1] as number)) / 2).toBe((low + high) / 2);
        expect(oracle.sigma).toBe((low + high) / 2);
      });

      it.each(["f64", "f32"])("group sums of the %s Gram matrix give the oracle MMD²", (precision) => {
        const { oracle, pooled, m, n, d } = load(file);
        const gram = kernels.rbfGram(kernels.pairwiseSquaredDistances(pooled, n, d), oracle.sigma_sq);
        const kernel = precision === "f32" ? new Float32Array(gram) : gram;
        const labels = new Uint8Array(2 * n).fill(1, 0, m).fill(1, n + m);
        const [sxx, syy, total] = kernels.groupSums(kernel, n, labels, 2);
        let all = 0;
        for (const v of kernel) all += v;
        const sxy = (all - (sxx as number) - (syy as number)) / 2;
        const k = n - m;
        const mmd2 =
          ((sxx as number) - m) / (m * (m - 1)) + ((syy as number) - k) / (k * (k - 1)) - (2 * sxy) / (m * k);
        // f64: the oracle's own 1e-10 (measured 6e-14). f32 copy of K: measured 1.2e-9, bound 5e-9.
        expect(Math.abs(mmd2 - oracle.mmd2_unbiased)).toBeLessThan(precision === "f64" ? 1e-10 : 5e-9);
        expect(total).toBeUndefined();
      });
    });
  });
});
