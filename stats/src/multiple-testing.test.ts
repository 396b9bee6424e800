import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { benjaminiHochberg, bonferroni, rejected } from "./multiple-testing.ts";

const pvalues = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 });

describe("hand-checked examples (values from statsmodels multipletests)", () => {
  it("bonferroni multiplies by m and caps at 1", () => {
    expect(bonferroni([0.01, 0.04, 0.03, 0.5])).toEqual([0.04, 0.16, 0.12, 1]);
    expect(bonferroni([])).toEqual([]);
  });

  it("benjaminiHochberg: p·m/rank with a running minimum from the top", () => {
    // Sorted 0.01, 0.03, 0.04, 0.5 → 0.04, 0.06, 0.0533, 0.5 → running min 0.04, 0.0533, 0.0533, 0.5.
    expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.5])).toEqual([
      0.04, 0.05333333333333334, 0.05333333333333334, 0.5,
    ]);
    // Ties, an exact 0 and an exact 1, in input order.
    expect(benjaminiHochberg([0.2, 0.01, 0.2, 0.01, 1, 0])).toEqual([0.24, 0.02, 0.24, 0.02, 1, 0]);
  });

  it("benjaminiHochberg on McDonald's 25 p-values (Handbook of Biological Statistics)", () => {
    const raw = [
      0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.275, 0.34,
      0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986,
    ];
    const expected = [
      0.025, 0.1, 0.21, 0.21, 0.21, 0.25, 0.26428571428571423, 0.49107142857142855, 0.49107142857142855,
      0.49107142857142855, 0.49107142857142855, 0.49107142857142855, 0.49107142857142855, 0.49107142857142855,
      0.5328125, 0.5328125, 0.5647058823529412, 0.781578947368421, 0.781578947368421, 0.8699999999999999,
      0.9071428571428571, 0.986, 0.986, 0.986, 0.986,
    ];
    const adjusted = benjaminiHochberg(raw);
    adjusted.forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i] as number, 15);
    });
    expect(rejected(adjusted, 0.25)).toEqual(raw.map((_, i) => i < 6));
  });

  it("documented examples run as written", () => {
    expect(bonferroni([0.01, 0.04, 0.5])).toEqual([0.03, 0.12, 1]);
    expect(rejected([0.04, 0.06], 0.05)).toEqual([true, false]);
  });

  it("rejected compares adjusted p-values with alpha, inclusive", () => {
    expect(rejected([0.04, 0.05, 0.06], 0.05)).toEqual([true, true, false]);
  });
});

describe("properties", () => {
  // BH ≤ Bonferroni holds exactly in real arithmetic; statsmodels' p/(rank/m) may round one ulp
  // above p·m (e.g. p/(1/3) vs 3p), so that comparison allows a few ulps. The others are exact.
  it("adjusted ≥ raw, BH ≤ Bonferroni ≤ 1", () => {
    fc.assert(
      fc.property(pvalues, (ps) => {
        const bh = benjaminiHochberg(ps);
        const bonf = bonferroni(ps);
        ps.forEach((p, i) => {
          expect(bh[i]).toBeGreaterThanOrEqual(p);
          expect(bh[i]).toBeLessThanOrEqual((bonf[i] as number) * (1 + 4 * Number.EPSILON));
          expect(bonf[i]).toBeLessThanOrEqual(1);
        });
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it("both corrections keep the order of the raw p-values", () => {
    fc.assert(
      fc.property(pvalues, (ps) => {
        const bh = benjaminiHochberg(ps);
        const bonf = bonferroni(ps);
        for (let i = 0; i < ps.length; i++) {
          for (let j = 0; j < ps.length; j++) {
            if ((ps[i] as number) <= (ps[j] as number)) {
              expect(bh[i]).toBeLessThanOrEqual(bh[j] as number);
              expect(bonf[i]).toBeLessThanOrEqual(bonf[j] as number);
            }
          }
        }
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it("a single test is left unchanged", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (p) => {
        expect(benjaminiHochberg([p])).toEqual([p]);
        expect(bonferroni([p])).toEqual([p]);
      }),
      { seed: 9 },
    );
  });
});

describe("input validation", () => {
  it("names the offending entry", () => {
    expect(() => bonferroni([0.1, Number.NaN])).toThrow(
      new RangeError("pvalues[1] is NaN, not a probability in [0, 1]"),
    );
    expect(() => benjaminiHochberg([1.5])).toThrow(RangeError);
    expect(() => rejected([0.1], 2)).toThrow(RangeError);
  });
});
