import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fsum } from "./numeric/fsum.ts";
import { fitPsiBins, psi, psiFromCounts, psiSeverity } from "./psi.ts";
import { oraclePath } from "./testing/oracles.ts";

const oracle = JSON.parse(readFileSync(oraclePath("batch/psi.json"), "utf8"));
const BINNINGS = {
  deciles: { kind: "quantile", bins: 10 },
  uniform50: { kind: "uniform", bins: 50 },
} as const;

// biome-ignore lint/suspicious/noExplicitAny: oracle JSON, shape documented in ../shared/oracles/README.md
const cases: Array<[string, any]> = oracle.cases.map((c: { name: string }) => [c.name, c]);
describe.each(cases)("PSI oracle case %s", (_name, c) => {
  for (const [key, binning] of Object.entries(BINNINGS)) {
    it(`${key}: edges, counts and value match numpy`, () => {
      const expected = c[key];
      const bins = fitPsiBins(c.ref, binning);
      const edges: number[] = expected.edges_interior ?? expected.edges.slice(1, -1);
      bins.interiorEdges.forEach((e, i) => {
        expect(Math.abs(e - (edges[i] as number))).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(edges[i] as number)),
        );
      });
      const result = psi(c.ref, c.new, binning);
      expect(result.countsRef).toEqual(expected.counts_ref);
      expect(result.countsNew).toEqual(expected.counts_new);
      expect(Math.abs(result.psi - expected.psi)).toBeLessThanOrEqual(1e-9 * Math.abs(expected.psi));
    });
  }
});

describe("PSI properties", () => {
  const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 });
  it("is non-negative, and zero for identical samples", () => {
    fc.assert(
      fc.property(sample, sample, fc.constantFrom(BINNINGS.deciles, BINNINGS.uniform50), (a, b, binning) => {
        expect(psi(a, b, binning).psi).toBeGreaterThanOrEqual(0);
        expect(psi(a, a, binning).psi).toBe(0);
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it("grades severity at 0.1 and 0.25", () => {
    expect([0.0999, 0.1, 0.2499, 0.25].map(psiSeverity)).toEqual(["none", "moderate", "moderate", "major"]);
  });

  it("rejects empty or non-finite samples and mismatched histograms", () => {
    expect(() => psi([], [1], BINNINGS.deciles)).toThrow(/reference sample is empty/);
    expect(() => psi([1, 2], [Number.NaN], BINNINGS.deciles)).toThrow(/new\[0\] is NaN/);
    expect(() => psiFromCounts([1, 2], [1])).toThrow(/different bin counts/);
  });
});

describe("fsum", () => {
  it("rounds like math.fsum where naive summation loses everything", () => {
    expect(fsum([1e100, 1, -1e100, 1e-100])).toBe(1);
    expect(fsum([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])).toBe(1);
    expect(fsum([])).toBe(0);
  });
});
