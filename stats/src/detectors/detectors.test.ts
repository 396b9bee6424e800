import { describe, expect, it } from "vitest";
import { pcaFromJson } from "../pca.ts";
import { syntheticModel } from "../synthetic.ts";
import { replayFalseAlarms } from "./adwin-calibration.ts";
import { batchCheck, psiMinRowsFor } from "./batch-check.ts";
import { MmdWindow } from "./mmd-window.ts";
import { Pc1Stream } from "./pc1-stream.ts";
import { pcaResidual } from "./pca-residual.ts";
import { fitReferenceProfile, type ReferenceProfile } from "./reference-profile.ts";

const d = 64;
const model = syntheticModel({ dimension: d, modelSeed: 3 });
const reference = model.sample(2000, 1);
const profile = fitReferenceProfile(reference, 2000, d, { seed: 9, mmdSampleSize: 200 });

describe("reference profile", () => {
  it("keeps PCA, PSI bins, KS and MMD samples and a calibration, and survives JSON", () => {
    expect(profile.pca.nComponents).toBe(10);
    expect(profile.psi).toHaveLength(10);
    expect(profile.ksSample.scores).toHaveLength(2000 * 10);
    expect(profile.mmd.sample).toHaveLength(200 * d);
    expect(profile.calibration.psiSplitHalf.every((v) => v >= 0 && v < 0.1)).toBe(true);
    expect(profile.calibration.mmdNull.q99).toBeGreaterThanOrEqual(profile.calibration.mmdNull.q95);
    // δ is calibrated on a 200,000-update replay for one false alarm per million, never looser than River's.
    expect(profile.calibration.adwin.replayedUpdates).toBe(200_000);
    expect(profile.calibration.adwin.targetPer10k).toBe(0.01);
    expect(profile.adwin.delta).toBe(profile.calibration.adwin.delta);
    expect(profile.adwin.delta).toBeLessThanOrEqual(0.002);
    expect(profile.calibration.adwin.falseAlarmsPer10k).toBeLessThanOrEqual(0.01);
    const copy = JSON.parse(JSON.stringify(profile)) as ReferenceProfile;
    const window = model.sample(500, 2, { latentShift: 0.5 });
    expect(batchCheck(copy, window, 500, { seed: 1 })).toEqual(batchCheck(profile, window, 500, { seed: 1 }));
  });

  it("calibrates ADWIN on the PCA residual and the streaming MMD window (docs/detection-quality.md)", () => {
    const residual = profile.residual;
    if (!residual) throw new Error("the profile has no residual ADWIN");
    expect(residual.calibration).toMatchObject({ replayedUpdates: 200_000, targetPer10k: 0.01 });
    expect(residual.adwin.delta).toBe(residual.calibration.delta);
    expect(residual.calibration.falseAlarmsPer10k).toBeLessThanOrEqual(0.01);
    // Held out: residuals of fresh in-distribution embeddings at the calibrated δ stay near the
    // target (200,000 updates; two alarms would already be 0.1 per 10,000).
    const fresh = pcaResidual(pcaFromJson(profile.pca), model.sample(2000, 40), 2000);
    expect(replayFalseAlarms(fresh, residual.adwin, 200_000, 5)).toBeLessThanOrEqual(1);

    const window = profile.mmdWindow;
    if (!window) throw new Error(`no MMD window: ${profile.calibration.mmdWindowSkipped}`);
    expect(window).toMatchObject({
      size: 500,
      alpha: 0.004,
      method: "pearson3",
      windows: 2000,
      // The other half of the time blocks: the MMD sample's 200 rows all come from the first half.
      poolRows: 1000,
    });
    expect(window.threshold).toBeGreaterThan(window.null.mean);
    const mmd = new MmdWindow(profile.mmd.sample, profile.mmd.sampleSize, d, profile.mmd.sigma);
    expect(mmd.statistic(model.sample(500, 41), 500)).toBeLessThanOrEqual(window.threshold);
    expect(mmd.statistic(model.sample(500, 42, { latentShift: 0.4 }), 500)).toBeGreaterThan(window.threshold);
  });

  it("fits the MMD window to a small reference instead of skipping it, and skips only below the smallest window, saying why", () => {
    const small = fitReferenceProfile(reference.subarray(0, 600 * d), 600, d, {
      seed: 9,
      mmdSampleSize: 200,
    });
    // 300 rows lie outside the MMD sample's groups: windows of 150.
    expect(small.mmdWindow).toMatchObject({ size: 150, poolRows: 300 });
    expect(small.calibration.mmdWindowSkipped).toBeUndefined();
    expect(small.residual).toBeDefined();
    const tiny = fitReferenceProfile(reference.subarray(0, 150 * d), 150, d, { seed: 9, mmdSampleSize: 100 });
    expect(tiny.mmdWindow).toBeUndefined();
    expect(tiny.calibration.mmdWindowSkipped).toMatch(
      /^\d+ reference rows lie outside the MMD sample's groups; 100 are needed for windows of 50$/,
    );
  });

  it("keeps an explicit ADWIN δ and replays it as given", () => {
    const pinned = fitReferenceProfile(reference, 2000, d, {
      seed: 9,
      mmdSampleSize: 200,
      adwin: { delta: 0.01 },
    });
    expect(pinned.adwin.delta).toBe(0.01);
    expect(pinned.calibration.adwin).toMatchObject({ delta: 0.01, replayedUpdates: 50_000 });
    expect(pinned.calibration.adwin.tried).toBeUndefined();
  });

  it("is a pure function of the data and the seed", () => {
    expect(fitReferenceProfile(reference, 2000, d, { seed: 9, mmdSampleSize: 200 })).toEqual(profile);
  });
});

describe("batch check", () => {
  it("stays quiet on a window from the reference population", () => {
    const result = batchCheck(profile, model.sample(1000, 77), 1000, { seed: 2 });
    expect(result.severity).toBe("none");
    expect(result.drift).toBe(false);
    expect(result.mmd).toBeNull();
  });

  it("flags a latent mean shift on several components and confirms it with MMD", () => {
    const result = batchCheck(profile, model.sample(1000, 78, { latentShift: 0.6 }), 1000, { seed: 2 });
    expect(result.severity).toBe("high");
    expect(result.psi.flagged.length).toBeGreaterThanOrEqual(3);
    expect(result.ks.flagged.length).toBeGreaterThan(0);
    expect(result.mmd?.pValue).toBeLessThan(0.05);
    // The profile knows its same-person threshold, so the person-permutation test decides.
    expect(result.mmd).toMatchObject({ decision: "people", alpha: 0.004, confirmed: true });
    expect(result.mmd?.people?.units.window).toBeGreaterThan(100);
    expect(result.drift).toBe(true);
  });

  it("runs MMD on demand (the weekly run) even when nothing is flagged", () => {
    const result = batchCheck(profile, model.sample(300, 79), 300, {
      mmd: "always",
      permutations: 99,
      seed: 4,
    });
    expect(result.mmd?.permutations).toBe(99);
    expect(result.mmd?.sampleSize).toBe(200);
  });

  it("rejects a window of the wrong dimension", () => {
    expect(() => batchCheck(profile, new Float32Array(10), 2)).toThrow(/expected 2×64/);
  });
});

describe("batch check defaults (docs/detection-quality.md)", () => {
  // The product's default MMD sample (500 rows), so the profile's window threshold applies to
  // windows of ≥ 500.
  const full = fitReferenceProfile(model.sample(2000, 5), 2000, d, { seed: 3 });

  it("flags nothing on PSI below 500 embeddings and says why; the old rule would have", () => {
    const window = model.sample(100, 90);
    const result = batchCheck(full, window, 100, { mmd: "never" });
    expect(result.psi.flagged).toEqual([]);
    expect(result.psi.values).toHaveLength(10);
    expect(result.psi.note).toBe(
      "PSI flags nothing below 500 embeddings (this window: 100): with 10 decile bins a clean window that small routinely reaches 0.1 (docs/detection-quality.md)",
    );
    const old = batchCheck(full, window, 100, { mmd: "never", psiMinRows: 0 });
    expect(old.psi.flagged.length).toBeGreaterThan(0);
    expect(old.psi.note).toBeUndefined();
    expect(batchCheck(full, model.sample(500, 91), 500, { mmd: "never" }).psi.note).toBeUndefined();
  });

  it("with 50 equal-width bins fixed at the fit, PSI waits for windows of 2,723 and still sees a shift there", () => {
    expect(psiMinRowsFor({ kind: "quantile", bins: 10 })).toBe(500);
    expect(psiMinRowsFor({ kind: "uniform", bins: 50 })).toBe(2723);
    const uniform = fitReferenceProfile(model.sample(4000, 5), 4000, d, {
      seed: 3,
      psiBinning: { kind: "uniform", bins: 50 },
    });
    expect(uniform.psi[0]?.binning).toEqual({ kind: "uniform", bins: 50 });
    expect(uniform.psi[0]?.interiorEdges).toHaveLength(49);
    const small = batchCheck(uniform, model.sample(1000, 92), 1000, { mmd: "never" });
    expect(small.psi.note).toBe(
      "PSI flags nothing below 2723 embeddings (this window: 1000): with 50 equal-width bins a clean window that small routinely reaches 0.1 (docs/detection-quality.md)",
    );
    const clean = batchCheck(uniform, model.sample(3000, 93), 3000, { mmd: "never" });
    expect(clean.psi.note).toBeUndefined();
    expect(clean.psi.flagged).toEqual([]);
    const shifted = batchCheck(uniform, model.sample(3000, 94, { latentShift: 1, noiseScale: 12 }), 3000, {
      mmd: "never",
    });
    expect(shifted.psi.flagged.length).toBeGreaterThan(0);
  });

  it("confirms with the profile's calibrated MMD threshold on windows of 500", () => {
    const window = full.mmdWindow;
    if (!window) throw new Error("no MMD window");
    // The design's `seed` check profile decides on the threshold.
    const shifted = batchCheck(full, model.sample(500, 92, { latentShift: 0.4 }), 500, {
      mmd: "always",
      permutations: 99,
      mmdDecision: "profile",
    });
    expect(shifted.mmd).toMatchObject({
      decision: "threshold",
      threshold: window.threshold,
      alpha: 0.004,
      confirmed: true,
    });
    expect(shifted.drift).toBe(true);
    // Clean windows from the reference population stay below it (α = 0.004 per window).
    for (let seed = 93; seed < 98; seed++) {
      const clean = batchCheck(full, model.sample(500, seed), 500, {
        mmd: "always",
        permutations: 99,
        mmdDecision: "profile",
      });
      expect(clean.mmd?.confirmed).toBe(false);
      expect(clean.drift).toBe(false);
    }
    // The first shipped rule is still available by name.
    const permutation = batchCheck(full, model.sample(500, 92, { latentShift: 0.4 }), 500, {
      mmd: "always",
      permutations: 99,
      mmdDecision: "permutation",
      mmdAlpha: 0.05,
    });
    expect(permutation.mmd).toMatchObject({ decision: "permutation", alpha: 0.05 });
    expect(permutation.mmd?.threshold).toBeUndefined();
  });
});

describe("PC1 stream", () => {
  const projection = {
    mean: profile.pca.mean,
    pc1: profile.pca.components.slice(0, d),
  };

  it("detects an abrupt shift soon after it starts and not before", () => {
    const stream = new Pc1Stream(projection);
    const before = stream.process(model.sample(3000, 11), 3000);
    expect(before.detections).toEqual([]);
    const after = stream.process(model.sample(2000, 12, { latentShift: 0.8 }), 2000);
    expect(after.detections.length).toBeGreaterThan(0);
    const first = after.detections[0];
    expect(first?.index).toBeLessThan(500);
    expect(Math.abs((first?.meanAfter ?? 0) - (first?.meanBefore ?? 0))).toBeGreaterThan(0.05);
  });

  it("resumes from its checkpoint exactly as if it had never stopped", () => {
    const data = new Float32Array([
      ...model.sample(1500, 21),
      ...model.sample(1500, 22, { latentShift: 0.8 }),
    ]);
    const uninterrupted = new Pc1Stream(projection).process(data, 3000).detections;
    const first = new Pc1Stream(projection);
    const part1 = first.process(data.subarray(0, 1700 * d), 1700).detections;
    const resumed = new Pc1Stream(projection, JSON.parse(JSON.stringify(first.state())));
    const part2 = resumed
      .process(data.subarray(1700 * d), 1300)
      .detections.map((x) => ({ ...x, index: x.index + 1700 }));
    expect([...part1, ...part2]).toEqual(uninterrupted);
  });
});
