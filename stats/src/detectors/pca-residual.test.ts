import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitPca } from "../pca.ts";
import { syntheticModel } from "../synthetic.ts";
import { pcaResidual } from "./pca-residual.ts";

const d = 24;
const k = 16; // the synthetic model's 16 factors: the residual is then the isotropic noise
const model = syntheticModel({ dimension: d, modelSeed: 4 });
const pca = fitPca(model.sample(600, 1), 600, d, k);

/** ‖(x − μ) − Cᵀ C (x − μ)‖² in f64 from the definition: the distance to the principal subspace. */
function residualOracle(x: ArrayLike<number>): number {
  const centred = Float64Array.from({ length: d }, (_, t) => (x[t] as number) - (pca.mean[t] as number));
  const off = Float64Array.from(centred);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (centred[t] as number) * (pca.components[j * d + t] as number);
    for (let t = 0; t < d; t++) off[t] = (off[t] as number) - s * (pca.components[j * d + t] as number);
  }
  return off.reduce((s, v) => s + v * v, 0);
}

const vector = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d });

describe("pcaResidual", () => {
  it("is never negative and matches the distance to the subspace", () => {
    fc.assert(
      fc.property(vector, (values) => {
        const [r] = pcaResidual(pca, Float32Array.from(values), 1);
        const oracle = residualOracle(Float32Array.from(values));
        expect(r).toBeGreaterThanOrEqual(0);
        expect(Math.abs((r as number) - oracle)).toBeLessThanOrEqual(
          1e-5 * (1 + oracle + values.reduce((s, v) => s + v * v, 0)),
        );
      }),
    );
  });

  it("is ≈ 0 for a vector in the span of the reference's components", () => {
    const coefficients = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
      minLength: k,
      maxLength: k,
    });
    fc.assert(
      fc.property(coefficients, (a) => {
        const x = Float64Array.from(pca.mean);
        a.forEach((c, j) => {
          for (let t = 0; t < d; t++) x[t] = (x[t] as number) + c * (pca.components[j * d + t] as number);
        });
        const [r] = pcaResidual(pca, x, 1);
        expect(r).toBeLessThanOrEqual(1e-5 * (1 + a.reduce((s, v) => s + v * v, 0)));
      }),
    );
  });

  it("rises when noise leaves the subspace (the blur/JPEG signature) and reuses given scores", () => {
    const clean = pcaResidual(pca, model.sample(400, 2), 400);
    const noisy = pcaResidual(pca, model.sample(400, 3, { noiseScale: 3 }), 400);
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(noisy)).toBeGreaterThan(1.5 * mean(clean));
    const x = model.sample(3, 5);
    expect(pcaResidual(pca, x, 3, new Float64Array(3 * k))).not.toEqual(pcaResidual(pca, x, 3));
  });

  it("names the misuse", () => {
    expect(() => pcaResidual(pca, new Float32Array(d + 1), 1)).toThrow(/X has 25 values, expected 1×24/);
    expect(() => pcaResidual(pca, new Float32Array(d), 1, new Float64Array(2))).toThrow(
      /scores have 2 values/,
    );
  });
});
