import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kolmogorovSf } from "./kolmogorov.ts";
import { ksStatisticSorted, ksTwoSample } from "./ks.ts";
import { oraclePath } from "./testing/oracles.ts";

interface KsCase {
  name: string;
  sample1: number[];
  sample2: number[];
  en: number;
  scipy_exact: { statistic: number; pvalue: number };
  scipy_asymp: { statistic: number; pvalue: number };
}

const oracle = JSON.parse(readFileSync(oraclePath("batch/ks.json"), "utf8")) as { cases: KsCase[] };

/** The oracle's rule: p-values to 1e-6 relative, or 1e-12 absolute when p < 1e-6. */
function expectPvalue(actual: number, expected: number): void {
  const tol = expected < 1e-6 ? 1e-12 : 1e-6 * expected;
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

describe("ksTwoSample against scipy 1.10 ks_2samp (oracle batch/ks.json)", () => {
  for (const c of oracle.cases) {
    it(`${c.name}: exact`, () => {
      const r = ksTwoSample(c.sample1, c.sample2, { method: "exact" });
      expect(r.method).toBe("exact");
      expect(Math.abs(r.statistic - c.scipy_exact.statistic)).toBeLessThanOrEqual(1e-12);
      expectPvalue(r.pvalue, c.scipy_exact.pvalue);
      // scipy's default picks exact at these sizes.
      expect(ksTwoSample(c.sample1, c.sample2)).toEqual(r);
    });
    it(`${c.name}: asymp`, () => {
      const r = ksTwoSample(c.sample1, c.sample2, { method: "asymp" });
      expect(r.method).toBe("asymp");
      expect(Math.abs(r.statistic - c.scipy_asymp.statistic)).toBeLessThanOrEqual(1e-12);
      expectPvalue(r.pvalue, c.scipy_asymp.pvalue);
      expect(r.pvalue).toBe(kolmogorovSf(Math.round(c.en), r.statistic));
    });
  }
});

/**
 * Exact null p-value by brute force: count, in BigInt, the lattice paths (one step per pooled
 * observation) whose |F1 − F2| never reaches D, over all C(n1+n2, n1) orderings.
 */
function bruteForcePvalue(n1: number, n2: number, d: number): number {
  // |i/n1 − j/n2| ≥ d  ⟺  |i·n2 − j·n1| ≥ d·n1·n2; compare in integers with a rounding guard.
  const bound = Math.round(d * n1 * n2);
  let row: bigint[] = new Array<bigint>(n2 + 1).fill(0n);
  let all: bigint[] = new Array<bigint>(n2 + 1).fill(0n);
  for (let i = 0; i <= n1; i++) {
    const next: bigint[] = new Array<bigint>(n2 + 1).fill(0n);
    const nextAll: bigint[] = new Array<bigint>(n2 + 1).fill(0n);
    for (let j = 0; j <= n2; j++) {
      const from = i === 0 && j === 0 ? 1n : (row[j] ?? 0n) + (j > 0 ? (next[j - 1] ?? 0n) : 0n);
      nextAll[j] = i === 0 && j === 0 ? 1n : (all[j] ?? 0n) + (j > 0 ? (nextAll[j - 1] ?? 0n) : 0n);
      next[j] = Math.abs(i * n2 - j * n1) >= bound ? 0n : from;
    }
    row = next;
    all = nextAll;
  }
  const inside = row[n2] ?? 0n;
  const total = all[n2] ?? 1n;
  return Number(((total - inside) * 10n ** 18n) / total) / 1e18;
}

/** Sample1 takes the positions marked true in an ordering of 0..N−1, sample2 the rest. */
function samplesFromOrdering(marks: boolean[]): [number[], number[]] {
  const s1: number[] = [];
  const s2: number[] = [];
  marks.forEach((m, i) => {
    (m ? s1 : s2).push(i);
  });
  return [s1, s2];
}

describe("exact p-value against brute-force path counting", () => {
  it("agrees for every ordering size up to 14 + 14, equal and unequal n", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 2, maxLength: 28 }), (marks) => {
        const [s1, s2] = samplesFromOrdering(marks);
        fc.pre(s1.length > 0 && s2.length > 0);
        const r = ksTwoSample(s1, s2, { method: "exact" });
        const expected = bruteForcePvalue(s1.length, s2.length, r.statistic);
        // scipy abandons an exact p that rounds to just above 1 (see the next test).
        if (r.method === "asymp") expect(expected).toBeGreaterThan(1 - 1e-12);
        else expect(Math.abs(r.pvalue - expected)).toBeLessThan(1e-13);
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  it("falls back to asymp, as scipy does, when the exact sum rounds above 1", () => {
    // n1 = n2 = 5, D = 1/5: scipy's _compute_prob_outside_square gives 1.0000000000000002,
    // so ks_2samp warns "Exact calculation unsuccessful" and returns the asymp p = 1.
    expect(ksTwoSample([1, 3, 5, 7, 8], [0, 2, 4, 6, 9], { method: "exact" })).toEqual({
      statistic: 0.2,
      pvalue: 1,
      method: "asymp",
    });
  });

  it("hand-checked: [1,2,3,4] vs [3,4,5,6,7] (scipy: D = 0.6, p = 0.2857142857142857)", () => {
    // The documented example: 36 of the C(9, 4) = 126 orderings reach D ≥ 0.6; scipy, bit for bit.
    expect(ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6, 7])).toEqual({
      statistic: 0.6,
      pvalue: 0.2857142857142857,
      method: "exact",
    });
    // Fully separated samples of 3 and 3: only 2 of the C(6,3) = 20 orderings reach D = 1.
    expect(ksTwoSample([1, 2, 3], [4, 5, 6]).pvalue).toBeCloseTo(2 / 20, 15);
  });
});

describe("the statistic", () => {
  /** Direct definition: F counts values ≤ z, evaluated at every pooled point. O(N²). */
  function naiveStatistic(a: number[], b: number[]): number {
    let d = 0;
    for (const z of [...a, ...b]) {
      const f1 = a.filter((v) => v <= z).length / a.length;
      const f2 = b.filter((v) => v <= z).length / b.length;
      d = Math.max(d, Math.abs(f1 - f2));
    }
    return d;
  }

  it("equals the direct ECDF definition, ties included, and is symmetric", () => {
    const small = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(small, small, (a, b) => {
        const d = ksStatisticSorted(Float64Array.from(a).sort(), Float64Array.from(b).sort());
        expect(d).toBe(naiveStatistic(a, b));
        const ab = ksTwoSample(a, b);
        const ba = ksTwoSample(b, a);
        expect(ba.statistic).toBe(ab.statistic);
        expect(ba.pvalue).toBeCloseTo(ab.pvalue, 14);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it("is 0 with p = 1 for identical samples, and ignores input order", () => {
    expect(ksTwoSample([3, 1, 2], [2, 3, 1])).toEqual({ statistic: 0, pvalue: 1, method: "exact" });
    expect(ksStatisticSorted(Float64Array.of(1, 2, 2), Float64Array.of(2, 3))).toBe(0.5);
  });
});

describe("method selection (scipy's rules)", () => {
  it('"auto" is exact up to max(n1, n2) = 10000 and asymp above', () => {
    const big = Array.from({ length: 10001 }, (_, i) => i / 10001);
    expect(ksTwoSample(big.slice(1), [0.5, 0.25]).method).toBe("exact");
    expect(ksTwoSample(big, [0.5, 0.25]).method).toBe("asymp");
  });

  it('"exact" falls back to asymp when lcm(n1, n2) would overflow int32', () => {
    const a = Array.from({ length: 50000 }, (_, i) => i);
    const b = Array.from({ length: 49999 }, (_, i) => i + 0.5);
    const r = ksTwoSample(a, b, { method: "exact" });
    expect(r.method).toBe("asymp");
    expect(r.statistic).toBeCloseTo(1 / 50000, 15);
  });

  it("asymp rounds en = n1·n2/(n1+n2) half to even, like numpy (scipy: 0.2222…, 0.8136…)", () => {
    // en = 1.5 → 2 and en = 3.5 → 4.
    const three = ksTwoSample([1, 2, 4], [3, 5, 6], { method: "asymp" });
    expect(three.pvalue).toBe(kolmogorovSf(2, three.statistic));
    expectPvalue(three.pvalue, 0.22222222222222213);
    const seven = ksTwoSample([1, 2, 4, 8, 9, 10, 13], [3, 5, 6, 7, 11, 12, 14], { method: "asymp" });
    expectPvalue(seven.pvalue, 0.8136713869221158);
  });

  it("asymp with n1 = n2 = 1 is NaN, as in scipy (round(en) = 0)", () => {
    expect(ksTwoSample([0], [1], { method: "asymp" }).pvalue).toBeNaN();
    expect(ksTwoSample([0], [1]).pvalue).toBe(1);
  });
});

describe("input validation", () => {
  it("names the empty sample or the NaN entry", () => {
    expect(() => ksTwoSample([], [1])).toThrow(new RangeError("sample1 is empty"));
    expect(() => ksTwoSample([1], [])).toThrow(new RangeError("sample2 is empty"));
    expect(() => ksTwoSample([1, 2], [0, 1, 2, Number.NaN])).toThrow(new RangeError("sample2[3] is NaN"));
    expect(() => ksTwoSample([1], [2], { method: "bogus" as "exact" })).toThrow(RangeError);
  });

  it("accepts typed arrays and infinities", () => {
    const r = ksTwoSample(Float32Array.of(1, 2, Number.POSITIVE_INFINITY), Float64Array.of(-Infinity, 0));
    expect(r.statistic).toBe(1);
  });
});
