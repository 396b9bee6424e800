import { describe, expect, it } from "vitest";
import { pcaFromJson, projectPca } from "../pca.ts";
import { syntheticModel } from "../synthetic.ts";
import { batchCheck, batchCheckScores, mmdRows } from "./batch-check.ts";
import { fitReferenceProfile } from "./reference-profile.ts";

describe("batchCheckScores", () => {
  const d = 32;
  const model = syntheticModel({ dimension: d, modelSeed: 21 });
  const profile = fitReferenceProfile(model.sample(1500, 1), 1500, d, { seed: 3, mmdSampleSize: 150 });
  const pca = pcaFromJson(profile.pca);

  it("gives batchCheck's result from the window's scores and its last rows, whatever the window", () => {
    for (const [n, shift, seed] of [
      [400, 0.8, 2],
      [90, 0, 3],
      [1200, 0.3, 4],
    ] as const) {
      const x = model.sample(n, seed, { latentShift: shift });
      const rows = mmdRows(profile, n);
      expect(rows).toBe(Math.min(n, 150));
      // Scores computed in two halves, as a cache filled batch by batch would hold them.
      const half = Math.floor(n / 2);
      const scores = new Float64Array(n * profile.pca.nComponents);
      scores.set(projectPca(pca, x.subarray(0, half * d), half));
      scores.set(projectPca(pca, x.subarray(half * d), n - half), half * profile.pca.nComponents);
      const recent = x.slice((n - rows) * d);
      const options = { seed: 5, mmd: "always" as const, permutations: 200 };
      expect(batchCheckScores(profile, scores, n, recent, options)).toEqual(
        batchCheck(profile, x, n, options),
      );
    }
  });

  it("refuses inputs whose shapes do not match", () => {
    const x = model.sample(100, 6);
    const scores = projectPca(pca, x, 100);
    expect(() => batchCheckScores(profile, scores.subarray(1), 100, x.slice(0, 100 * d))).toThrow(
      /scores have/,
    );
    expect(() => batchCheckScores(profile, scores, 100, x.slice(d))).toThrow(/recent rows have/);
  });
});
