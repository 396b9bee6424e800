import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import { ADWIN_DELTA_GRID, calibrateAdwinDelta, replayFalseAlarms } from "./adwin-calibration.ts";

const gaussian = (n: number, seed: number) => {
  const rng = seededRng(seed);
  return Float64Array.from(
    { length: n },
    () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()),
  );
};

describe("calibrateAdwinDelta", () => {
  it("returns the first δ in the grid whose replay meets the target, and reports every δ tried", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0, 0.5, 2), (seed, target) => {
        const reference = gaussian(300, seed);
        const result = calibrateAdwinDelta(reference, { targetPer10k: target, updates: 20_000, seed });
        const last = result.tried[result.tried.length - 1];
        expect(last?.delta).toBe(result.delta);
        expect(result.tried.slice(0, -1).every((t) => t.falseAlarmsPer10k > target)).toBe(true);
        if (result.met) expect(last?.falseAlarmsPer10k).toBeLessThanOrEqual(target);
        else expect(result.tried).toHaveLength(ADWIN_DELTA_GRID.length);
        const recount = replayFalseAlarms(reference, { delta: result.delta }, 20_000, seed);
        expect((recount * 1e4) / 20_000).toBe(last?.falseAlarmsPer10k);
      }),
      { numRuns: 8 },
    );
  });

  it("rejects an empty reference or grid", () => {
    expect(() => calibrateAdwinDelta([], { targetPer10k: 1 })).toThrow(RangeError);
    expect(() => calibrateAdwinDelta([1, 2], { targetPer10k: 1, grid: [] })).toThrow(RangeError);
  });
});
