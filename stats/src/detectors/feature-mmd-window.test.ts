import { kernels } from "@facedrift/wasm-kernels";
import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import { pcaFromJson, projectPca } from "../pca.ts";
import { syntheticModel } from "../synthetic.ts";
import { calibrateFeatureWindow, FeatureMmdWindow, windowCoordinates } from "./feature-mmd-window.ts";
import { MmdWindow } from "./mmd-window.ts";
import { pcaResidual } from "./pca-residual.ts";
import { fitReferenceProfile } from "./reference-profile.ts";

const d = 64;
const model = syntheticModel({ dimension: d, modelSeed: 6 });
const profile = fitReferenceProfile(model.sample(3000, 1), 3000, d, { seed: 4 });
const windowProfile = profile.featureWindow;
if (!windowProfile) throw new Error(`no feature window: ${profile.calibration.featureWindowSkipped}`);
const window = new FeatureMmdWindow(windowProfile);

describe("FeatureMmdWindow", () => {
  it("is the unbiased MMD² of the feature kernel, pair by pair", () => {
    const x = model.sample(40, 2, { latentShift: 0.3 });
    const z = window.featuresOfRows(x, 40);
    const D = windowProfile.features;
    // The sample's side from its stored sums, the window's and the cross term pair by pair.
    const dot = (a: number, b: number) => {
      let s = 0;
      for (let f = 0; f < D; f++) s += (z[a * D + f] as number) * (z[b * D + f] as number);
      return s;
    };
    let within = 0;
    for (let a = 0; a < 40; a++) for (let b = 0; b < 40; b++) if (a !== b) within += dot(a, b);
    let cross = 0;
    for (let a = 0; a < 40; a++) {
      for (let f = 0; f < D; f++) cross += (z[a * D + f] as number) * (windowProfile.sample.sum[f] as number);
    }
    const m = windowProfile.sample.rows;
    let sampleNorm = 0;
    for (const v of windowProfile.sample.sum) sampleNorm += v * v;
    const expected =
      (sampleNorm - windowProfile.sample.squares) / (m * (m - 1)) +
      within / (40 * 39) -
      (2 * cross) / (m * 40);
    expect(window.statistic(z, 40)).toBeCloseTo(expected, 10);
  });

  it("sees each row through its own PCA: more components than the profile's", () => {
    expect(windowProfile.components).toBe(Math.min(128, d));
    expect(profile.pca.nComponents).toBe(10);
    const windowPca = pcaFromJson(windowProfile.pca);
    const x = model.sample(50, 3);
    const scores = projectPca(windowPca, x, 50);
    const fromScores = window.statistic(
      window.features(scores, pcaResidual(windowPca, x, 50, scores), 50),
      50,
    );
    expect(fromScores).toBe(window.statisticOfRows(x, 50));
  });

  it("decides every window as with JavaScript's Math.cos: the kernel's cosines differ by rounding only", () => {
    const windowPca = pcaFromJson(windowProfile.pca);
    const k = windowProfile.components;
    const D = windowProfile.features;
    const scale = Math.sqrt(2 / D);
    // The features as computed before the cosines moved into the kernel: the projection
    // kernel (its offset subtracted, so −b adds the phase), then scale·Math.cos in JavaScript.
    const before = (x: Float32Array, n: number) => {
      const scores = projectPca(windowPca, x, n);
      const u = windowCoordinates(scores, pcaResidual(windowPca, x, n, scores), n, k);
      const argument = kernels().project(
        u,
        n,
        k + 1,
        Float32Array.from(windowProfile.frequencies),
        D,
        Float64Array.from(windowProfile.phases, (b) => -b),
      );
      return argument.map((a) => scale * Math.cos(a));
    };
    let decided = 0;
    for (const [shift, seed] of [
      [0, 40],
      [0.15, 41],
      [0.3, 42],
    ] as const) {
      const x = model.sample(20 * 500, seed, { latentShift: shift });
      const now = window.featuresOfRows(x, 20 * 500);
      const then = before(x, 20 * 500);
      let worst = 0;
      for (let i = 0; i < now.length; i++)
        worst = Math.max(worst, Math.abs((now[i] as number) - (then[i] as number)));
      expect(worst).toBeLessThanOrEqual(scale * 4.5e-16);
      for (let w = 0; w < 20; w++) {
        const a = window.statistic(now.subarray(w * 500 * D, (w + 1) * 500 * D), 500);
        const b = window.statistic(then.subarray(w * 500 * D, (w + 1) * 500 * D), 500);
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(b), windowProfile.threshold));
        expect(a > windowProfile.threshold).toBe(b > windowProfile.threshold);
        if (b > windowProfile.threshold) decided++;
      }
    }
    // The shifted windows fire, so both sides of the threshold were compared.
    expect(decided).toBeGreaterThan(0);
    expect(decided).toBeLessThan(60);
  });

  it("reads the same from the profile's JSON", () => {
    const copy = new FeatureMmdWindow(JSON.parse(JSON.stringify(windowProfile)));
    const x = model.sample(500, 5);
    expect(copy.statisticOfRows(x, 500)).toBe(window.statisticOfRows(x, 500));
  });

  it("keeps false alarms on fresh in-distribution windows near α and catches a shift as the window on all dimensions does", () => {
    const alpha = windowProfile.alpha;
    let fresh = 0;
    const windows = 400;
    for (let w = 0; w < windows; w++) {
      if (window.statisticOfRows(model.sample(500, 100 + w), 500) > windowProfile.threshold) fresh++;
    }
    // α = 0.004 over 400 windows is 1.6 expected; 6 or more would be p < 0.01 under α.
    expect(fresh).toBeLessThanOrEqual(5);
    expect(alpha).toBe(0.004);
    const exact = new MmdWindow(profile.mmd.sample, profile.mmd.sampleSize, d, profile.mmd.sigma);
    const exactThreshold = profile.mmdWindow?.threshold as number;
    let caught = 0;
    let caughtExact = 0;
    for (let w = 0; w < 40; w++) {
      const x = model.sample(500, 1000 + w, { latentShift: 0.2 });
      if (window.statisticOfRows(x, 500) > windowProfile.threshold) caught++;
      if (exact.statistic(x, 500) > exactThreshold) caughtExact++;
    }
    expect(caughtExact).toBeGreaterThan(20);
    expect(caught).toBeGreaterThanOrEqual(caughtExact - 4);
  });

  it("names the misuse", () => {
    expect(() => new FeatureMmdWindow({ ...windowProfile, phases: [1] })).toThrow(/do not match/);
    expect(() => window.statistic(new Float64Array(windowProfile.features), 1)).toThrow(/at least 2 rows/);
  });
});

describe("calibrateFeatureWindow", () => {
  it("says why when too few rows lie outside the sample's groups", () => {
    const x = model.sample(300, 9);
    const result = calibrateFeatureWindow(
      x,
      300,
      d,
      Array.from({ length: 200 }, (_, i) => i),
      { size: 500 },
    );
    expect(result).toEqual({
      skipped: "100 reference rows lie outside the MMD sample's groups; 1000 are needed for windows of 500",
    });
  });
});

describe("FeatureMmdWindow with fewer components than dimensions", () => {
  it("keeps clean windows of rows the reference never saw at its false-alarm rate", () => {
    // 512-D unit vectors spread over every direction (face embeddings fill far more than 128), a
    // reference of 900 rows: a 128-component PCA fitted on every reference row fits them closer
    // than any new row (smaller residual), and windows calibrated on them fired on every clean
    // window of new rows.
    const dim = 512;
    const rows = (count: number, seed: number, shift = 0) => {
      const rng = seededRng(seed);
      const out = new Float32Array(count * dim);
      for (let i = 0; i < count; i++) {
        let norm = 0;
        for (let t = 0; t < dim; t++) {
          const v = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()) + (t < 8 ? shift : 0);
          out[i * dim + t] = v;
          norm += v * v;
        }
        for (let t = 0; t < dim; t++) out[i * dim + t] = (out[i * dim + t] as number) / Math.sqrt(norm);
      }
      return out;
    };
    const fitted = fitReferenceProfile(rows(900, 1), 900, dim, { seed: 2 });
    const profile = fitted.featureWindow;
    if (!profile) throw new Error(`no feature window: ${fitted.calibration.featureWindowSkipped}`);
    expect(profile.components).toBe(128);
    const detector = new FeatureMmdWindow(profile);
    let fired = 0;
    const windows = 40;
    for (let w = 0; w < windows; w++) {
      if (detector.statisticOfRows(rows(profile.size, 100 + w), profile.size) > profile.threshold) fired++;
    }
    // α = 0.004: 40 windows fire twice or more 1 % of the time.
    expect(fired).toBeLessThanOrEqual(1);
    // And the window still sees a change of the input.
    expect(detector.statisticOfRows(rows(profile.size, 99, 1.5), profile.size)).toBeGreaterThan(
      profile.threshold,
    );
  });
});
