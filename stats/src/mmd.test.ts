import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mmd } from "./mmd.ts";
import { seededRng } from "./numeric/random.ts";
import { oraclePath } from "./testing/oracles.ts";

const CASES = ["mmd_1_no_shift", "mmd_2_mean_shift"];

describe.each(CASES)("MMD against oracle %s", (name) => {
  const o = JSON.parse(readFileSync(oraclePath(`batch/${name}.json`), "utf8"));
  const [m, d] = o.X_shape as [number, number];
  const [n] = o.Y_shape as [number];

  for (const kind of ["Float32Array", "Float64Array"] as const) {
    it(`σ is bit-identical and MMD² within tolerance (${kind} input)`, () => {
      const Ctor = kind === "Float32Array" ? Float32Array : Float64Array;
      const r = mmd(Ctor.from(o.X), m, Ctor.from(o.Y), n, d);
      expect(r.sigma).toBe(o.sigma);
      for (const [mine, theirs] of [
        [r.mmd2Unbiased, o.mmd2_unbiased],
        [r.mmd2Biased, o.mmd2_biased],
      ] as const) {
        const err = Math.abs(mine - theirs);
        expect(err <= 1e-10 || err <= 1e-8 * Math.abs(theirs)).toBe(true);
      }
    });
  }
});

/** n×d standard normal rows (Box–Muller on the seeded RNG), shifted by `shift` in every coordinate. */
function gaussian(rows: number, d: number, seed: number, shift = 0): Float32Array {
  const rng = seededRng(seed);
  return Float32Array.from({ length: rows * d }, () => {
    const u = 1 - rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng()) + shift;
  });
}

describe("MMD permutation test", () => {
  it("p-values are roughly uniform when both samples come from one distribution", () => {
    const pValues = Array.from({ length: 60 }, (_, trial) => {
      const x = gaussian(30, 4, 1000 + trial);
      const y = gaussian(30, 4, 5000 + trial);
      return mmd(x, 30, y, 30, 4, { permutations: 99, seed: trial }).pValue as number;
    });
    // Under H0 each p is uniform on {1/100, …, 1}: mean ≈ 0.5, about 10 % below 0.1.
    const mean = pValues.reduce((s, p) => s + p, 0) / pValues.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
    expect(pValues.filter((p) => p <= 0.1).length).toBeLessThanOrEqual(14);
    expect(pValues.filter((p) => p > 0.5).length).toBeGreaterThanOrEqual(18);
  });

  it("detects a mean shift with the smallest possible p-value", () => {
    const r = mmd(gaussian(50, 8, 1), 50, gaussian(50, 8, 2, 1), 50, 8, { permutations: 199, seed: 3 });
    expect(r.pValue).toBe(1 / 200);
  });

  it("is reproducible from its seed", () => {
    const x = gaussian(20, 3, 7);
    const y = gaussian(25, 3, 8, 0.3);
    const a = mmd(x, 20, y, 25, 3, { permutations: 200, seed: 11 });
    expect(mmd(x, 20, y, 25, 3, { permutations: 200, seed: 11 })).toEqual(a);
  });

  it("rejects unusable samples, naming them", () => {
    expect(() => mmd(new Float32Array(3), 1, new Float32Array(6), 2, 3)).toThrow(/X needs at least 2 rows/);
    expect(() => mmd(new Float32Array(6), 2, new Float32Array(5), 2, 3)).toThrow(/Y has 5 values/);
    expect(() => mmd(new Float32Array(6), 2, new Float32Array(6), 2, 3)).toThrow(/bandwidth is 0/);
  });
});
