import { seededRng } from "@facedrift/stats";
import { describe, expect, it } from "vitest";
import { nullThreshold, rateAbove } from "./batch.ts";
import { detectedWithin, falseAlarmsPer10k, medianDelay, shiftDelays } from "./streaming.ts";

const gaussian = (n: number, seed: number, mean = 0) => {
  const rng = seededRng(seed);
  return Float64Array.from(
    { length: n },
    () => mean + Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()),
  );
};

describe("calibrated batch thresholds", () => {
  it("let at most α of the null strictly above, ties counting as not detected", () => {
    const nullScores = Array.from({ length: 200 }, (_, i) => i % 50);
    const t = nullThreshold(nullScores, 0.05);
    expect(rateAbove(nullScores, t)).toBeLessThanOrEqual(0.05);
    expect(rateAbove([0, 0, 0, 0], nullThreshold([0, 0, 0, 0], 0.05))).toBe(0);
    expect(rateAbove([100, 100], t)).toBe(1);
  });
});

describe("streaming experiments", () => {
  it("find a large abrupt mean shift quickly and an absent one never", () => {
    const before = gaussian(500, 1);
    const options = { warmup: 1000, horizon: 2000, reps: 5, seed: 3 };
    const shifted = shiftDelays(before, gaussian(500, 2, 3), 0.002, options);
    expect(detectedWithin(shifted, 200)).toBe(1);
    expect(medianDelay(shifted)).toBeLessThan(200);
    const none = shiftDelays(before, gaussian(500, 2), 0.002, options);
    expect(detectedWithin(none, 2000)).toBe(0);
    expect(medianDelay(none)).toBe(Number.POSITIVE_INFINITY);
  });

  it("count false alarms per 10,000 updates of an unchanging stream", () => {
    expect(falseAlarmsPer10k(gaussian(300, 5), 0.002, { streams: 2, length: 20_000, seed: 1 })).toBeLessThan(
      1,
    );
  });
});
