import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import { fitPca } from "../pca.ts";
import { centredSquaredNorms, pcaResidual } from "./pca-residual.ts";
import { detailTest, fitResidualLevel, residualDirectionOf, residualEffect } from "./residual-level.ts";

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

/** Three unit-length photos each of 100 people drawn by `person`, with capture noise of `noise`. */
function photosOf(seed: number, person: (normal: () => number, t: number) => number, noise: number) {
  const rng = seededRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const rows: number[][] = [];
  for (let p = 0; p < 100; p++) {
    const centre = Array.from({ length: D }, (_, t) => person(normal, t));
    for (let i = 0; i < 3; i++) {
      const v = centre.map((c) => c + noise * normal());
      const norm = Math.hypot(...v);
      rows.push(v.map((c) => c / norm));
    }
  }
  return rows;
}

describe("detailTest", () => {
  const fitted = (seed: number) => {
    const w = world(seed);
    const ref = w.faces(150, 3);
    const pca = fitPca(ref.x, ref.n, D, K);
    const level = fitResidualLevel(ref.x, ref.n, D, K, ref.groups, seed);
    if (!level) throw new Error("no level");
    // Same person above this cosine: faces of one person sit far closer than two people's.
    return { w, pca, level, threshold: 0.8 };
  };

  it("stays quiet on windows of new people: about α of them fire", () => {
    const { w, pca, level, threshold } = fitted(11);
    let fired = 0;
    const windows = 200;
    for (let i = 0; i < windows; i++) {
      const fresh = w.faces(100, 3);
      if (detailTest(level, pca, fresh.x, fresh.n, threshold)?.lost) fired++;
    }
    // α = 0.01: 2 expected; 8 is beyond its binomial 99.9th percentile.
    expect(fired).toBeLessThanOrEqual(8);
  });

  it("gives a window of ten people seen over and over a null as wide as its people, not its faces", () => {
    const { w, pca, level, threshold } = fitted(12);
    // Ten people, thirty photos each: their own residuals decide the mean, whoever they happen to be.
    const zs: number[] = [];
    let naiveFired = 0;
    for (let i = 0; i < 60; i++) {
      const staff = w.faces(10, 30);
      const t = detailTest(level, pca, staff.x, staff.n, threshold);
      if (!t) throw new Error("no test");
      zs.push(t.z);
      // The same gap over faces as if each were a new person (what ignoring who is seen would do).
      if (t.effect * Math.sqrt(t.distinctRows) < -t.zCritical) naiveFired++;
      expect(t.people).toBeGreaterThan(7);
      expect(t.people).toBeLessThan(11);
    }
    expect(zs.filter((z) => z < -2.33).length).toBeLessThanOrEqual(3);
    expect(naiveFired).toBeGreaterThan(10);
  });

  it("calls people unlike the reference's new people, not detail lost", () => {
    const { pca, level, threshold } = fitted(13);
    // A population on one side of every shared direction (another demographic): its window mean
    // is far from the reference's, and each face keeps as much detail of its own.
    const rows = photosOf(99, (normal, t) => (t < K ? 3 * Math.abs(normal()) : normal()), 0.4);
    const t = detailTest(level, pca, Float64Array.from(rows.flat()), rows.length, threshold);
    expect(t?.lost).toBe(false);
    expect(t?.offFaceSpace).toBe(false);
  });

  it("reads each face's residual net of its distance from the mean face (typicality), by the level's slope", () => {
    const { w, pca, level, threshold } = fitted(17);
    const window = w.faces(80, 3);
    const r = pcaResidual(pca, window.x, window.n);
    const e = centredSquaredNorms(pca, window.x, window.n);
    const tilted = { ...level, slope: 0.3, centredEnergy: mean(e) + 0.05 };
    let net = 0;
    for (let i = 0; i < window.n; i++)
      net += (r[i] as number) - 0.3 * ((e[i] as number) - tilted.centredEnergy);
    const expected = (net / window.n - level.mean) / level.sd;
    expect(residualEffect(tilted, pca, window.x, window.n)).toBeCloseTo(expected, 10);
    expect(detailTest(tilted, pca, window.x, window.n, threshold)?.effect).toBeCloseTo(expected, 10);
    // Faces nearer the mean face than the reference's are forgiven that much residual.
    expect(residualEffect(tilted, pca, window.x, window.n)).toBeGreaterThan(
      residualEffect({ ...tilted, slope: 0 }, pca, window.x, window.n),
    );
  });

  it("calls embeddings swamped by noise off the face space, not a population", () => {
    const { pca, level, threshold } = fitted(16);
    const rows = photosOf(7, (normal, t) => (t < K ? 3 : 1) * normal(), 1.6);
    const t = detailTest(level, pca, Float64Array.from(rows.flat()), rows.length, threshold);
    expect(t?.lost).toBe(false);
    expect(t?.effect).toBeGreaterThan(0.5);
    expect(t?.offFaceSpace).toBe(true);
    // For an embedder whose degraded input raises the residual, that rise is detail lost.
    const up = detailTest(level, pca, Float64Array.from(rows.flat()), rows.length, threshold, 0.01, "up");
    expect(up).toMatchObject({ lost: true, offFaceSpace: false });
    // And its fall is not.
    const w = world(16);
    const degraded = w.faces(100, 3, 0.6);
    expect(detailTest(level, pca, degraded.x, degraded.n, threshold, 0.01, "up")?.lost).toBe(false);
    expect(residualDirectionOf(null)).toBe("down");
  });

  it("finds detail lost over many people, and none in a legacy level without variance components", () => {
    const { w, pca, level, threshold } = fitted(14);
    const degraded = w.faces(100, 3, 0.6);
    const t = detailTest(level, pca, degraded.x, degraded.n, threshold);
    expect(t?.lost).toBe(true);
    expect(t?.z).toBeLessThan(-5);
    expect(t?.effect).toBeLessThan(-0.3);
    const { between: _b, within: _w, concentration: _c, ...legacy } = level;
    expect(detailTest(legacy, pca, degraded.x, degraded.n, threshold)).toBeNull();
  });

  it("collapses exact repeats: one face sent 300 times is one face, and never detail lost", () => {
    const { w, pca, level, threshold } = fitted(15);
    const one = w.faces(1, 1, 0.3);
    const x = new Float64Array(300 * D);
    for (let i = 0; i < 300; i++) x.set(one.x, i * D);
    const t = detailTest(level, pca, x, 300, threshold);
    expect(t?.distinctRows).toBe(1);
    expect(t?.lost).toBe(false);
  });
});
