import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { distinctRows, leaderClusters, samePersonThreshold } from "./detectors/quality-window.ts";
import { mmd } from "./mmd.ts";
import { seededRng } from "./numeric/random.ts";
import { personMmd } from "./person-mmd.ts";

/**
 * Synthetic faces: each person is a random direction, each photo that direction plus noise, all
 * unit vectors, as face embeddings are. Photos of one person sit close (cosine ≈ 0.8), other
 * people near-orthogonal, so photos are *not* exchangeable across people: the situation the
 * person-permutation test exists for.
 */
const D = 24;
function people(count: number, seed: number, shift = 0) {
  const rng = seededRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Array.from({ length: count }, () => {
    const center = Array.from({ length: D }, gauss);
    return (photos: number) =>
      Array.from({ length: photos }, () => {
        // `shift` moves every photo along the first axis: a change of the input, not of who.
        const v = center.map((c, t) => c + 0.5 * gauss() + (t === 0 ? shift : 0));
        const norm = Math.hypot(...v);
        return v.map((x) => x / norm);
      });
  });
}
const rows = (photos: number[][]) => Float64Array.from(photos.flat());

/** A reference sample of several photos per person, and its same-person threshold. */
function reference(seed: number) {
  const photos = people(60, seed).flatMap((person) => person(4));
  const groups = Int32Array.from(photos.map((_, i) => Math.floor(i / 4)));
  const x = rows(photos);
  return { x, n: photos.length, threshold: samePersonThreshold(x, photos.length, D, groups, seed) };
}
const SIGMA = 1;

describe("person-permutation MMD", () => {
  it("keeps clean windows of new people at α, where the row permutation test runs hot", () => {
    let personBelow = 0;
    let rowBelow = 0;
    const replicates = 40;
    for (let r = 0; r < replicates; r++) {
      const ref = reference(100 + r);
      const window = rows(people(50, 900 + r).flatMap((person) => person(3)));
      const options = { samePersonThreshold: ref.threshold, sigma: SIGMA, permutations: 199, seed: r };
      if (personMmd(ref.x, ref.n, window, 150, D, options).pValue < 0.05) personBelow++;
      if ((mmd(ref.x, ref.n, window, 150, D, { ...options }).pValue as number) < 0.05) rowBelow++;
    }
    // Binomial(40, 0.05): 6 or more happens 1.4 % of the time; the row test fires on most windows.
    expect(personBelow).toBeLessThanOrEqual(5);
    expect(rowBelow).toBeGreaterThan(replicates / 2);
  });

  it("finds a change of the input however few the people, and not a few people seen many times", () => {
    const ref = reference(7);
    const options = { samePersonThreshold: ref.threshold, sigma: SIGMA, permutations: 499, seed: 1 };
    const shifted = rows(people(50, 8, 0.8).flatMap((person) => person(3)));
    expect(personMmd(ref.x, ref.n, shifted, 150, D, options).pValue).toBeLessThan(0.004);

    // Eight people, 20 photos each, half of them exact repeats (a door camera, resent frames).
    const few = people(8, 9).flatMap((person) => {
      const photos = person(10);
      return [...photos, ...photos];
    });
    const result = personMmd(ref.x, ref.n, rows(few), few.length, D, options);
    expect(result.repeatsDropped).toBe(80);
    expect(result.units.window).toBe(8);
    expect(result.pValue).toBeGreaterThan(0.05);
    // The row test calls the same window a drift.
    expect(mmd(ref.x, ref.n, rows(few), few.length, D, options).pValue).toBeLessThan(0.004);
  });

  it("is blind to exact repeats and to the order of the window's people", () => {
    const ref = reference(3);
    const options = { samePersonThreshold: ref.threshold, sigma: SIGMA, permutations: 99, seed: 5 };
    const window = people(20, 4, 0.3).flatMap((person) => person(2));
    const base = personMmd(ref.x, ref.n, rows(window), window.length, D, options);
    fc.assert(
      fc.property(fc.array(fc.nat(window.length - 1), { maxLength: 30 }), (repeats) => {
        const withRepeats = [...window, ...repeats.map((i) => window[i] as number[])];
        const r = personMmd(ref.x, ref.n, rows(withRepeats), withRepeats.length, D, options);
        expect(r.repeatsDropped).toBe(repeats.length);
        expect(r.mmd2Unbiased).toBeCloseTo(base.mmd2Unbiased, 12);
        expect(r.pValue).toBe(base.pValue);
      }),
      { numRuns: 25 },
    );
    const reversed = [...window].reverse();
    const r = personMmd(ref.x, ref.n, rows(reversed), reversed.length, D, options);
    expect(r.mmd2Unbiased).toBeCloseTo(base.mmd2Unbiased, 10);
  });

  it("gives the p-value of the plain O(units²) permutation loop, with window and reference sides of any size", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 3, max: 100 }),
        fc.double({ min: -0.6, max: 0.6, noNaN: true }),
        (seed, windowPeople, shift) => {
          const ref = reference(seed);
          const window = rows(people(windowPeople, seed + 1, shift).flatMap((person) => person(2)));
          const n = window.length / D;
          const options = { samePersonThreshold: ref.threshold, sigma: SIGMA, permutations: 199, seed };
          const fast = personMmd(ref.x, ref.n, window, n, D, options);
          const plain = plainPersonMmd(ref.x, ref.n, window, n, options);
          expect(fast.mmd2Unbiased).toBeCloseTo(plain.mmd2, 12);
          expect(fast.pValue).toBe(plain.pValue);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("stops early exactly when the decision at α can no longer be significant", () => {
    const alpha = 0.01;
    const permutations = 999;
    const stopAfterExceedances = Math.ceil(alpha * (permutations + 1) - 1);
    let stoppedEarly = 0;
    for (let r = 0; r < 16; r++) {
      const ref = reference(300 + r);
      // Half the windows clean (stops early), half shifted (runs every relabelling).
      const window = rows(people(40, 700 + r, r % 2 === 0 ? 0 : 0.8).flatMap((person) => person(2)));
      const options = { samePersonThreshold: ref.threshold, sigma: SIGMA, permutations, seed: r };
      const full = personMmd(ref.x, ref.n, window, 80, D, options);
      const early = personMmd(ref.x, ref.n, window, 80, D, { ...options, stopAfterExceedances });
      expect(early.pValue < alpha).toBe(full.pValue < alpha);
      expect(early.mmd2Unbiased).toBe(full.mmd2Unbiased);
      if (early.permutations < permutations) {
        stoppedEarly++;
        expect(early.pValue).toBeGreaterThanOrEqual(alpha);
      } else expect(early.pValue).toBe(full.pValue);
    }
    expect(stoppedEarly).toBeGreaterThanOrEqual(6);
  });

  it("names what it cannot test", () => {
    const ref = reference(1);
    const options = { samePersonThreshold: ref.threshold, sigma: SIGMA };
    const one = people(1, 2)[0]?.(1) ?? [];
    expect(() => personMmd(ref.x, ref.n, rows([...one, ...one]), 2, D, options)).toThrow(/2 distinct rows/);
    expect(() => personMmd(ref.x, ref.n, new Float64Array(5), 1, D, options)).toThrow(/expected 1×24/);
    expect(() => personMmd(ref.x, ref.n, ref.x, ref.n, D, { ...options, sigma: 0 })).toThrow(/sigma/);
  });
});

/**
 * The permutation loop as first written: every relabelling sums the whole units × units table.
 * Kept here as the definition the fast loop must match.
 */
function plainPersonMmd(
  reference: Float64Array,
  m: number,
  window: Float64Array,
  n: number,
  options: { samePersonThreshold: number; sigma: number; permutations: number; seed: number },
): { mmd2: number; pValue: number } {
  const keep = distinctRows(window, n, D);
  const pooled = [
    ...Array.from({ length: m }, (_, i) => reference.subarray(i * D, (i + 1) * D)),
    ...keep.map((i) => window.subarray(i * D, (i + 1) * D)),
  ];
  const refLabels = leaderClusters(reference, m, D, options.samePersonThreshold);
  const winLabels = leaderClusters(
    rows(keep.map((i) => Array.from(window.subarray(i * D, (i + 1) * D)))),
    keep.length,
    D,
    options.samePersonThreshold,
  );
  const refUnits = Math.max(...refLabels) + 1;
  const unitOf = [...refLabels, ...Array.from(winLabels, (l) => refUnits + l)];
  const units = Math.max(...unitOf) + 1;
  const blocks = Array.from({ length: units }, () => new Float64Array(units));
  const sizes = new Float64Array(units);
  pooled.forEach((x, i) => {
    const u = unitOf[i] as number;
    sizes[u] = (sizes[u] as number) + 1;
    const row = blocks[u] as Float64Array;
    pooled.forEach((y, j) => {
      let d2 = 0;
      for (let t = 0; t < D; t++) d2 += ((x[t] as number) - (y[t] as number)) ** 2;
      const v = unitOf[j] as number;
      row[v] = (row[v] as number) + Math.exp(-d2 / (2 * options.sigma ** 2));
    });
  });
  const mean = (u: number, v: number) =>
    ((blocks[u] as Float64Array)[v] as number) / ((sizes[u] as number) * (sizes[v] as number));
  const a = refUnits;
  const b = units - a;
  const statistic = (inX: boolean[]) => {
    let sXX = 0;
    let sYY = 0;
    let sXY = 0;
    for (let u = 0; u < units; u++)
      for (let v = 0; v < units; v++) {
        if (u === v) continue;
        if (inX[u] && inX[v]) sXX += mean(u, v);
        else if (!inX[u] && !inX[v]) sYY += mean(u, v);
        else sXY += mean(u, v) / 2;
      }
    return sXX / (a * (a - 1)) + sYY / (b * (b - 1)) - (2 * sXY) / (a * b);
  };
  const observed = statistic(Array.from({ length: units }, (_, u) => u < a));
  const rng = seededRng(options.seed);
  const order = Array.from({ length: units }, (_, i) => i);
  let atLeast = 0;
  for (let p = 0; p < options.permutations; p++) {
    const inX = new Array<boolean>(units).fill(false);
    for (let i = 0; i < a; i++) {
      const j = i + Math.floor(rng() * (units - i));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
      inX[order[i] as number] = true;
    }
    if (statistic(inX) >= observed - 1e-12 * Math.abs(observed)) atLeast++;
  }
  return { mmd2: observed, pValue: (atLeast + 1) / (options.permutations + 1) };
}
