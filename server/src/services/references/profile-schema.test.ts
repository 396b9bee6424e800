import { fitReferenceProfile, type ReferenceProfile, syntheticModel } from "@facedrift/stats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FacedriftError } from "../../errors.ts";
import { parseReferenceProfile } from "./profile-schema.ts";

const d = 8;
const fitted = fitReferenceProfile(syntheticModel({ dimension: d, modelSeed: 5 }).sample(400, 1), 400, d, {
  seed: 1,
  components: 4,
  mmdSampleSize: 60,
  adwin: { delta: 0.002 },
  mmdWindow: { size: 40, windows: 200 },
});
/** A fresh JSON copy, as an imported file would hold it. */
const profile = (): Record<string, unknown> & ReferenceProfile => JSON.parse(JSON.stringify(fitted));

function refusal(value: unknown, dimension = d): FacedriftError {
  try {
    parseReferenceProfile(value, dimension);
  } catch (error) {
    if (error instanceof FacedriftError) return error;
    throw error;
  }
  throw new Error("expected the profile to be refused");
}

describe("parseReferenceProfile", () => {
  it("takes a fitted profile unchanged, with and without the optional detectors", () => {
    expect(fitted.mmdWindow).toBeDefined();
    expect(fitted.featureWindow).toBeDefined();
    expect(parseReferenceProfile(profile(), d)).toEqual(JSON.parse(JSON.stringify(fitted)));
    const { residual: _, mmdWindow: __, featureWindow: ___, ...older } = profile();
    expect(parseReferenceProfile(older, d)).toEqual(older);
  });

  // Each of these was accepted, activated, and broke the stream's detectors (issue 14, item 10).
  // biome-ignore lint/suspicious/noExplicitAny: mutations reach into the profile's JSON ad hoc
  it.each<[string, (p: Record<string, any>) => void, string]>([
    ["a profile without pca", (p) => delete p.pca, "profile.pca"],
    ["3-element components", (p) => (p.pca.components = [1, 2, 3]), "profile.pca.components"],
    ["a string mean", (p) => (p.pca.mean = "0,0,0"), "profile.pca.mean"],
    ['psi: "garbage"', (p) => (p.psi = "garbage"), "profile.psi"],
    ["adwin.delta -1", (p) => (p.adwin.delta = -1), "profile.adwin.delta"],
    ["nComponents 1e9", (p) => (p.pca.nComponents = 1e9), "profile.pca.nComponents"],
    ["adwin.maxBuckets 1e8", (p) => (p.adwin.maxBuckets = 1e8), "profile.adwin.maxBuckets"],
    [
      "residual ADWIN maxBuckets 1e8",
      (p) => (p.residual.adwin.maxBuckets = 1e8),
      "profile.residual.adwin.maxBuckets",
    ],
    ["an MMD sample of the wrong size", (p) => p.mmd.sample.pop(), "profile.mmd.sample"],
    ["a zero bandwidth", (p) => (p.mmd.sigma = 0), "profile.mmd.sigma"],
    ["PSI edges out of order", (p) => p.psi[0].interiorEdges.reverse(), "profile.psi[0].interiorEdges"],
    ["PSI counts that miss the size", (p) => (p.psi[1].referenceSize += 1), "profile.psi[1].referenceSize"],
    ["a KS sample of the wrong size", (p) => p.ksSample.scores.push(1), "profile.ksSample.scores"],
    ["an MMD window of size 1e9", (p) => (p.mmdWindow.size = 1e9), "profile.mmdWindow.size"],
    ["an unknown ADWIN parameter", (p) => (p.adwin.extra = 1), "profile.adwin.extra"],
    [
      "feature-window phases of the wrong length",
      (p) => p.featureWindow.phases.pop(),
      "profile.featureWindow.phases",
    ],
    [
      "a feature-window PCA of another dimension",
      (p) => (p.featureWindow.pca.dim = 9),
      "profile.featureWindow.pca.dim",
    ],
    [
      "a feature window of 1e6 features",
      (p) => (p.featureWindow.features = 1e6),
      "profile.featureWindow.features",
    ],
    ["a string in the components", (p) => (p.pca.components[3] = "1"), "profile.pca.components[3]"],
  ])("refuses %s, naming the field", (_, mutate, field) => {
    const p = profile();
    mutate(p);
    expect(refusal(p)).toMatchObject({ code: "invalid_request", field });
  });

  it("refuses non-finite numbers anywhere a detector reads", () => {
    const p = profile();
    p.pca.mean[2] = Number.NaN;
    expect(refusal(p).field).toBe("profile.pca.mean[2]");
    const q = profile();
    q.mmd.sample[0] = Number.POSITIVE_INFINITY;
    expect(refusal(q).field).toBe("profile.mmd.sample[0]");
  });

  it("refuses a profile of another dimension than the stream's", () => {
    expect(refusal(profile(), d + 1).field).toBe("profile.dimension");
  });

  it("refuses the profile whatever required field is missing", () => {
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return;
      for (const [key, child] of Object.entries(value)) {
        paths.push([...path, key]);
        walk(child, [...path, key]);
      }
    };
    walk(fitted, []);
    // featureWindow may be absent, but not any of its fields.
    const optional = /^(residual|mmdWindow|calibration|mmd\.samePersonThreshold)|^featureWindow$/;
    const required = paths.filter((p) => !optional.test(p.join(".")));
    fc.assert(
      fc.property(fc.constantFrom(...required), (path) => {
        // biome-ignore lint/suspicious/noExplicitAny: walks the profile's JSON by key
        const p: Record<string, any> = profile();
        let parent = p;
        for (const key of path.slice(0, -1)) parent = parent[key];
        delete parent[path.at(-1) as string];
        expect(() => parseReferenceProfile(p, d)).toThrow(FacedriftError);
      }),
      { numRuns: 60 },
    );
  });
});
