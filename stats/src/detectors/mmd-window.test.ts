import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mmd } from "../mmd.ts";
import { mmdTable, windowMmd2 } from "../mmd-table.ts";
import { seededRng } from "../numeric/random.ts";
import { syntheticModel } from "../synthetic.ts";
import { calibrateMmdWindow, MmdWindow, type MmdWindowCalibration, pearson3Threshold } from "./mmd-window.ts";

const d = 32;
const model = syntheticModel({ dimension: d, modelSeed: 6 });

describe("MmdWindow", () => {
  it("equals mmd()'s unbiased MMD² at the frozen bandwidth", () => {
    const sample = model.sample(120, 1);
    const window = model.sample(80, 2, { latentShift: 0.2 });
    const expected = mmd(sample, 120, window, 80, d, { sigma: 0.8 }).mmd2Unbiased;
    expect(new MmdWindow(sample, 120, d, 0.8).statistic(window, 80)).toBeCloseTo(expected, 6);
  });

  it("names the misuse", () => {
    expect(() => new MmdWindow(new Float32Array(10), 2, d, 1)).toThrow(
      /MMD sample has 10 values, expected 2×32/,
    );
    expect(() => new MmdWindow(model.sample(4, 1), 4, d, 0)).toThrow(/sigma must be > 0/);
    expect(() => new MmdWindow(model.sample(4, 1), 4, d, 1).statistic(new Float32Array(d), 1)).toThrow(
      /at least 2 rows/,
    );
  });
});

describe("pearson3Threshold", () => {
  it("is the normal quantile without skew and the gamma quantile with it", () => {
    expect(pearson3Threshold(1, 2, 0, 0.025)).toBeCloseTo(1 + 2 * 1.959964, 5);
    // Skewness 2 with mean 1 and sd 1 is the unit exponential, whose 1 − α quantile is −ln α.
    expect(pearson3Threshold(1, 1, 2, 0.004) / -Math.log(0.004)).toBeCloseTo(1, 1);
  });

  it("never falls as α shrinks", () => {
    const alpha = fc.double({ min: 1e-6, max: 0.49, noNaN: true });
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 4, noNaN: true }),
        alpha,
        alpha,
        (mean, sd, skewness, a, b) => {
          const [small, large] = a < b ? [a, b] : [b, a];
          expect(pearson3Threshold(mean, sd, skewness, small)).toBeGreaterThanOrEqual(
            pearson3Threshold(mean, sd, skewness, large) - 1e-12 * (1 + Math.abs(mean)),
          );
        },
      ),
    );
  });

  it("refuses α outside (0, 0.5)", () => {
    expect(() => pearson3Threshold(0, 1, 1, 0)).toThrow(/alpha must be in \(0, 0.5\)/);
  });
});

describe("calibrateMmdWindow", () => {
  const n = 3000;
  const m = 300;
  const size = 200;
  const reference = model.sample(n, 11);
  const rows = Array.from({ length: m }, (_, i) => i * 10);
  const sample = new Float32Array(m * d);
  rows.forEach((r, i) => {
    sample.set(reference.subarray(r * d, (r + 1) * d), i * d);
  });
  const sigma = mmd(sample, m, sample.subarray(0, 2 * d), 2, d).sigma;
  const calibrate = (alpha: number) =>
    calibrateMmdWindow(
      reference,
      n,
      d,
      { rows, sample, sigma },
      { size, alpha, seed: 3 },
    ) as MmdWindowCalibration;

  /** Share of fresh in-distribution windows (new draws of the same population) above the threshold. */
  function freshRate(threshold: number, windows: number): number {
    const poolSize = 2000;
    const table = mmdTable(sample, m, model.sample(poolSize, 12), poolSize, d, sigma);
    const rng = seededRng(4);
    const indices = Array.from({ length: poolSize }, (_, i) => i);
    let above = 0;
    for (let w = 0; w < windows; w++) {
      for (let i = 0; i < size; i++) {
        const j = i + Math.floor(rng() * (poolSize - i));
        [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
      }
      if (windowMmd2(table, indices.slice(0, size)) > threshold) above++;
    }
    return above / windows;
  }

  it("holds the false-positive rate near α on fresh in-distribution windows", () => {
    const loose = calibrate(0.05);
    expect(loose.null.exceedance).toBeGreaterThan(0.03);
    expect(loose.null.exceedance).toBeLessThan(0.07);
    const rate = freshRate(loose.threshold, 1000);
    expect(rate).toBeGreaterThan(0.02);
    expect(rate).toBeLessThan(0.09);
    const strict = calibrate(0.004);
    expect(strict.threshold).toBeGreaterThan(loose.threshold);
    expect(freshRate(strict.threshold, 1000)).toBeLessThanOrEqual(0.012);
  });

  it("is a pure function of its inputs and seed, and flags a shifted window", () => {
    const calibration = calibrate(0.004);
    expect(calibrate(0.004)).toEqual(calibration);
    const shifted = new MmdWindow(sample, m, d, sigma).statistic(
      model.sample(size, 13, { latentShift: 0.4 }),
      size,
    );
    expect(shifted).toBeGreaterThan(calibration.threshold);
  });

  it("says why when too few rows lie outside the MMD sample's groups", () => {
    const small = calibrateMmdWindow(
      reference.subarray(0, 500 * d),
      500,
      d,
      { rows: rows.slice(0, 50), sample: sample.subarray(0, 50 * d), sigma },
      { size: 250 },
    );
    expect(small).toEqual({
      skipped: "450 reference rows lie outside the MMD sample's groups; 500 are needed for windows of 250",
    });
  });
});
