import { FeatureMmdWindow, Pc1Stream, pcaFromJson, pcaResidual, projectPca } from "@facedrift/stats";
import { describe, expect, it } from "vitest";
import { runDetectors } from "./detectors.ts";
import { projectBatch } from "./project-batch.ts";
import type { StreamingReference } from "./reference.ts";
import { referenceProfile, streamRows } from "./testing/fixture.ts";
import { streamingReferenceOf } from "./testing/uninterrupted.ts";

/** The fixture's reference as `loadActiveReference` builds it: sharing decided by the profile. */
function loaded(): StreamingReference {
  const reference = streamingReferenceOf(referenceProfile());
  const window = reference.mmdWindow;
  if (window?.space !== "pca-scores+residual") throw new Error("the fixture has no feature window");
  return {
    ...reference,
    mmdWindow: { ...window, sharesProjection: window.detector.sharesProjection(reference.pca) },
  };
}

const noReads = {
  windowStart: async (): Promise<never> => {
    throw new Error("a batch from the start reads nothing behind its cursor");
  },
  before: async () => ({ seqs: [], x: new Float32Array(0) }),
};

describe("projectBatch", () => {
  const reference = loaded();
  const x = streamRows();
  const n = x.length / reference.pca.dim;
  const window = reference.mmdWindow as Extract<
    StreamingReference["mmdWindow"],
    { space: "pca-scores+residual" }
  >;

  it("finds the profile's PCA inside the window's: fitted from one eigendecomposition", () => {
    expect(window.sharesProjection).toBe(true);
    expect(window.detector.profile.components).toBeGreaterThan(reference.pca.nComponents);
  });

  it("gives every number the separate projections give, bit for bit", () => {
    const projected = projectBatch(reference, x, n);
    const componentScores = projectPca(reference.pca, x, n);
    expect(projected.componentScores).toEqual(componentScores);
    expect(projected.residual).toEqual(pcaResidual(reference.pca, x, n, componentScores));
    expect(projected.windowFeatures).toEqual(window.detector.featuresOfRows(x, n));
    // PC1's ADWIN is fed column 0: what its own one-component projection computes.
    const pc1 = new Pc1Stream(reference.projection).process(x, n).scores;
    expect(
      Float64Array.from({ length: n }, (_, i) => componentScores[i * reference.pca.nComponents] as number),
    ).toEqual(pc1);
  });

  it("leaves the detectors' findings and checkpoint as they were", async () => {
    const seqs = Array.from({ length: n }, (_, i) => i + 1);
    const shared = await runDetectors(
      reference,
      null,
      0,
      { seqs, x, ...projectBatch(reference, x, n) },
      noReads,
    );
    const separate = await runDetectors(
      reference,
      null,
      0,
      { seqs, x, componentScores: projectPca(reference.pca, x, n) },
      noReads,
    );
    expect(new Set(shared.detections.map((d) => d.signal))).toEqual(new Set(["pc1", "residual", "mmd"]));
    expect(shared.detections).toEqual(separate.detections);
    expect(shared.state).toEqual(separate.state);
  });

  it("projects on each PCA when the window's is another fit", () => {
    const profile = referenceProfile();
    const windowProfile = profile.featureWindow;
    if (!windowProfile) throw new Error("the fixture has no feature window");
    // The window's PCA with its first component's sign flipped: still orthonormal, not the profile's.
    const pca = { ...windowProfile.pca, components: [...windowProfile.pca.components] };
    for (let t = 0; t < pca.dim; t++) pca.components[t] = -(pca.components[t] as number);
    const other = new FeatureMmdWindow({ ...windowProfile, pca });
    expect(other.sharesProjection(pcaFromJson(profile.pca))).toBe(false);
    const unshared = { ...reference, mmdWindow: { ...window, detector: other, sharesProjection: false } };
    const projected = projectBatch(unshared, x, n);
    expect(projected.componentScores).toEqual(projectPca(reference.pca, x, n));
    expect(projected.windowFeatures).toBeNull();
    expect(projected.residual).toBeNull();
  });
});
