import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitPca, pcaFromJson, pcaToJson, projectPca, transformPca, truncatePca } from "./pca.ts";
import { oraclePath } from "./testing/oracles.ts";

const oracle = JSON.parse(readFileSync(oraclePath("batch/pca.json"), "utf8"));
const [n, d] = oracle.shape as [number, number];
const k = oracle.n_components as number;

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};
const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / Math.abs(b[i] as number));
  }
  return m;
};

describe("PCA against scikit-learn (svd_solver='full')", () => {
  for (const input of ["Float64Array", "Float32Array"] as const) {
    it(`matches mean, variances, components and scores (${input} input)`, () => {
      const x = input === "Float64Array" ? Float64Array.from(oracle.X) : Float32Array.from(oracle.X);
      const model = fitPca(x, n, d, k);
      expect(maxAbsDiff(model.mean, oracle.mean)).toBeLessThanOrEqual(1e-12);
      expect(maxRelDiff(model.explainedVariance, oracle.explained_variance)).toBeLessThanOrEqual(1e-9);
      expect(maxRelDiff(model.explainedVarianceRatio, oracle.explained_variance_ratio)).toBeLessThanOrEqual(
        1e-9,
      );
      expect(maxRelDiff(model.singularValues, oracle.singular_values)).toBeLessThanOrEqual(1e-9);
      expect(
        Math.abs(model.noiseVariance - oracle.noise_variance) / oracle.noise_variance,
      ).toBeLessThanOrEqual(1e-9);
      expect(
        Math.abs(model.totalVariance - oracle.total_variance) / oracle.total_variance,
      ).toBeLessThanOrEqual(1e-9);
      // Our sign rule is "largest |loading| positive", stored by the oracle as its own field.
      expect(maxAbsDiff(model.components, oracle.components_largest_loading_positive)).toBeLessThanOrEqual(
        1e-8,
      );
      // transform_first5 uses the svd_flip signs: align each column's sign before comparing.
      const scores = transformPca(model, x.subarray(0, 5 * d), 5);
      const flips = Array.from({ length: k }, (_, j) => {
        let dot = 0;
        for (let t = 0; t < d; t++)
          dot += (model.components[j * d + t] as number) * oracle.components[j * d + t];
        return Math.sign(dot);
      });
      const aligned = scores.map((s, i) => s * (flips[i % k] as number));
      expect(maxAbsDiff(aligned, oracle.transform_first5)).toBeLessThanOrEqual(1e-8);
    });
  }

  it("survives a JSON round trip unchanged", () => {
    const model = fitPca(Float64Array.from(oracle.X), n, d, 3);
    expect(pcaFromJson(JSON.parse(JSON.stringify(pcaToJson(model))))).toEqual(model);
  });

  it("rejects bad shapes and values, naming the problem", () => {
    expect(() => fitPca(new Float64Array(6), 3, 2, 3)).toThrow(/n_components/);
    expect(() => fitPca(new Float64Array(5), 3, 2, 1)).toThrow(/expected 3×2/);
    expect(() => fitPca(Float64Array.of(1, 2, Number.NaN, 4), 2, 2, 1)).toThrow(/X\[2\] is NaN/);
    expect(() => fitPca(new Float64Array(2), 1, 2, 1)).toThrow(/at least 2 samples/);
  });
});

describe("PCA properties", () => {
  it("components are orthonormal with descending variances that sum to at most the total", () => {
    const shape = fc.record({ n: fc.integer({ min: 2, max: 40 }), d: fc.integer({ min: 1, max: 12 }) });
    fc.assert(
      fc.property(
        shape.chain(({ n, d }) =>
          fc.record({
            n: fc.constant(n),
            d: fc.constant(d),
            k: fc.integer({ min: 1, max: Math.min(n, d) }),
            x: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), {
              minLength: n * d,
              maxLength: n * d,
            }),
          }),
        ),
        ({ n, d, k, x }) => {
          const model = fitPca(Float64Array.from(x), n, d, k);
          const c = model.components;
          for (let a = 0; a < k; a++) {
            for (let b = 0; b < k; b++) {
              let dot = 0;
              for (let t = 0; t < d; t++) dot += (c[a * d + t] as number) * (c[b * d + t] as number);
              // Directions of (numerically) zero variance are arbitrary but must still be orthonormal.
              expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-8);
            }
          }
          for (let a = 1; a < k; a++) {
            expect(model.explainedVariance[a] as number).toBeLessThanOrEqual(
              (model.explainedVariance[a - 1] as number) * (1 + 1e-12) + 1e-9,
            );
          }
          const kept = model.explainedVariance.reduce((s, v) => s + v, 0);
          expect(kept).toBeLessThanOrEqual(model.totalVariance * (1 + 1e-9) + 1e-9);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});

describe("projectPca (the fast monitoring path)", () => {
  it("agrees with the exact transform to float32 precision", () => {
    const x = Float64Array.from(oracle.X);
    const model = fitPca(x, n, d, k);
    const exact = transformPca(model, x, n);
    const fast = projectPca(model, x, n);
    let worst = 0;
    for (let i = 0; i < exact.length; i++)
      worst = Math.max(worst, Math.abs((fast[i] as number) - (exact[i] as number)));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe("truncatePca", () => {
  it("is the narrower fit, bit for bit: every field, noise variance included", () => {
    const [n, d] = [300, 48];
    let state = 7;
    const x = Float64Array.from({ length: n * d }, (_, i) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      // A few strong directions over noise, like embeddings.
      return (state / 2 ** 31 - 0.5) * (1 + 4 * Number(i % d < 3));
    });
    const wide = fitPca(x, n, d, 40);
    for (const k of [1, 10, 40])
      expect(pcaToJson(truncatePca(wide, k))).toEqual(pcaToJson(fitPca(x, n, d, k)));
  });

  it("names the misuse", () => {
    const model = fitPca(
      Float64Array.from({ length: 40 }, (_, i) => Math.sin(i)),
      10,
      4,
      2,
    );
    expect(() => truncatePca(model, 3)).toThrow(/n_components/);
  });
});
