import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { samePersonThreshold } from "./detectors/quality-window.ts";
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

  it("names what it cannot test", () => {
    const ref = reference(1);
    const options = { samePersonThreshold: ref.threshold, sigma: SIGMA };
    const one = people(1, 2)[0]?.(1) ?? [];
    expect(() => personMmd(ref.x, ref.n, rows([...one, ...one]), 2, D, options)).toThrow(/2 distinct rows/);
    expect(() => personMmd(ref.x, ref.n, new Float64Array(5), 1, D, options)).toThrow(/expected 1×24/);
    expect(() => personMmd(ref.x, ref.n, ref.x, ref.n, D, { ...options, sigma: 0 })).toThrow(/sigma/);
  });
});
