import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError, parseInput } from "./input.ts";
import { runStats, type StatsKind } from "./run-stats.ts";

const oracles = join(import.meta.dirname, "../../../../../shared/oracles");
const read = (path: string) => JSON.parse(readFileSync(join(oracles, path), "utf8"));
const run = (kind: StatsKind, input: unknown) => runStats(kind, parseInput(JSON.stringify(input)));

describe("facedrift stats: oracle inputs in, the documented output fields out", () => {
  it("adwin", () => {
    const o = read("adwin/river_multi.json");
    expect(run("adwin", { params: o.params, values: o.values })).toEqual({
      detections: o.detections,
      final: {
        width: o.final.width,
        total: o.final.total,
        estimation: o.final.estimation,
        variance: o.final.variance,
      },
    });
  });

  it("pca", () => {
    const o = read("batch/pca.json");
    const out = run("pca", { X: o.X, shape: o.shape, n_components: 10 }) as Record<string, number[]>;
    expect(out.explained_variance?.[0]).toBeCloseTo(o.explained_variance[0], 12);
    expect(out.components).toHaveLength(640);
  });

  it("ks (both methods)", () => {
    const c = read("batch/ks.json").cases[4];
    for (const method of ["exact", "asymp"] as const) {
      const out = run("ks", { sample1: c.sample1, sample2: c.sample2, method }) as { pvalue: number };
      expect(out.pvalue).toBeCloseTo(c[`scipy_${method}`].pvalue, 9);
    }
  });

  it("psi", () => {
    const c = read("batch/psi.json").cases[1];
    const out = run("psi", { ref: c.ref, new: c.new, binning: "uniform50" }) as { counts_new: number[] };
    expect(out.counts_new).toEqual(c.uniform50.counts_new);
  });

  it("mmd with a seeded permutation p-value", () => {
    const o = read("batch/mmd_2_mean_shift.json");
    const input = { X: o.X, X_shape: o.X_shape, Y: o.Y, Y_shape: o.Y_shape, permutations: 200, seed: 1 };
    const out = run("mmd", input) as { sigma: number; p_value: number };
    expect(out.sigma).toBe(o.sigma);
    expect(out.p_value).toBe(1 / 201);
    expect(run("mmd", input)).toEqual(out);
  });

  it("auc", () => {
    expect(run("auc", { scores: [0.9, 0.7, 0.7, 0.2], labels: [1, 0, 1, 0] })).toMatchObject({
      auc: 0.875,
      eer: 0.25,
    });
  });
});

describe("facedrift stats: bad input names the problem", () => {
  const cases: Array<[StatsKind, string, RegExp]> = [
    ["adwin", `{"values": [1, NaN, 3]}`, /values\[1\] must be a finite number, got NaN/],
    ["adwin", `{"params": {"delta": 0}, "values": [1]}`, /delta must be in \(0, 1\)/],
    ["adwin", `{"params": {"alpha": 1}, "values": [1]}`, /params.alpha is not an ADWIN parameter/],
    ["ks", `{"sample1": [], "sample2": [1]}`, /sample1 is empty/],
    ["ks", `{"sample1": [1, 2]}`, /missing field "sample2"/],
    ["psi", `{"ref": [1, 2], "new": [1, -Infinity]}`, /new\[1\] must be a finite number, got -Infinity/],
    ["pca", `{"X": [1, 2, 3], "shape": [2, 2], "n_components": 1}`, /X has 3 values but shape 2×2 needs 4/],
    ["mmd", `{"X": [[1, 2]], "Y": [[1, 2], [3, 4]]}`, /X needs at least 2 rows/],
    ["auc", `{"scores": [1, 2], "labels": [1, 1]}`, /both genuine/],
    ["auc", `[1, 2]`, /one JSON object/],
    ["auc", `{"scores": [1, 2]`, /not valid JSON/],
  ];
  it.each(cases)("%s %s", (kind, text, message) => {
    expect(() => runStats(kind, parseInput(text))).toThrow(InputError);
    expect(() => runStats(kind, parseInput(text))).toThrow(message);
  });
});
