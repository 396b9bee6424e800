import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import { fitPca } from "../pca.ts";
import { pcaResidual } from "./pca-residual.ts";
import { fitResidualLevel, residualEffect } from "./residual-level.ts";

const D = 48;
const K = 6;

/**
 * People whose faces share a few strong directions (what the top components find) and carry
 * detail of their own in every other direction; `detail` scales that individual part (1: an
 * unchanged pipeline, < 1: input that loses identity detail).
 */
function world(seed: number) {
  const rng = seededRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const person = () => Array.from({ length: D }, (_, t) => (t < K ? 3 : 1) * normal());
  const photo = (p: number[], detail = 1) => {
    const v = p.map((c, t) => (t < K ? c : detail * c) + 0.4 * normal());
    const norm = Math.hypot(...v);
    return v.map((c) => c / norm);
  };
  const faces = (people: number, perPerson: number, detail = 1) => {
    const rows: number[][] = [];
    const groups: number[] = [];
    for (let p = 0; p < people; p++) {
      const centre = person();
      for (let i = 0; i < perPerson; i++) {
        rows.push(photo(centre, detail));
        groups.push(p);
      }
    }
    return { x: Float64Array.from(rows.flat()), n: rows.length, groups: Int32Array.from(groups) };
  };
  return { faces };
}

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;

describe("fitResidualLevel", () => {
  it("sits where new people fall, above the reference's own rows (the components were fitted on them)", () => {
    const w = world(3);
    const ref = w.faces(60, 3);
    const pca = fitPca(ref.x, ref.n, D, K);
    const level = fitResidualLevel(ref.x, ref.n, D, K, ref.groups, 1);
    expect(level).not.toBeNull();
    const inFit = mean(pcaResidual(pca, ref.x, ref.n));
    const fresh = w.faces(200, 2);
    const newPeople = mean(pcaResidual(pca, fresh.x, fresh.n));
    expect(level?.mean).toBeGreaterThan(inFit);
    // Closer to new people than the in-fit mean is.
    expect(Math.abs((level?.mean as number) - newPeople)).toBeLessThan(Math.abs(inFit - newPeople));
    expect(Math.abs(residualEffect(level as never, pca, fresh.x, fresh.n))).toBeLessThan(0.25);
  });

  it("measures lost identity detail as a negative effect, and more loss as a larger one", () => {
    const w = world(5);
    const ref = w.faces(60, 3);
    const pca = fitPca(ref.x, ref.n, D, K);
    const level = fitResidualLevel(ref.x, ref.n, D, K, ref.groups, 1);
    if (!level) throw new Error("no level");
    const mild = w.faces(100, 2, 0.8);
    const strong = w.faces(100, 2, 0.5);
    const mildEffect = residualEffect(level, pca, mild.x, mild.n);
    const strongEffect = residualEffect(level, pca, strong.x, strong.n);
    expect(mildEffect).toBeLessThan(-0.5);
    expect(strongEffect).toBeLessThan(mildEffect);
  });

  it("falls back to blocks of rows without named people, and gives no level for one person", () => {
    const w = world(9);
    const ref = w.faces(40, 3);
    expect(fitResidualLevel(ref.x, ref.n, D, K, null, 1)?.folds).toBe(5);
    const one = w.faces(1, 30);
    expect(fitResidualLevel(one.x, one.n, D, K, one.groups, 1)).toBeNull();
  });

  it("is the same for the same reference and seed, whatever the row count (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 50 }), fc.integer({ min: 0, max: 1000 }), (people, seed) => {
        const ref = world(seed).faces(people, 2);
        const a = fitResidualLevel(ref.x, ref.n, D, K, ref.groups, seed);
        const b = fitResidualLevel(ref.x, ref.n, D, K, ref.groups, seed);
        expect(a).toEqual(b);
        expect(a?.rows).toBe(ref.n);
        expect(a?.sd).toBeGreaterThan(0);
      }),
      { numRuns: 15 },
    );
  });
});
