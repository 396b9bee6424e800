import { describe, expect, it } from "vitest";
import { distinctDecimals, distinctTicks, withoutRepeats } from "./ticks.ts";

describe("axis ticks", () => {
  it("uses the fewest decimals that keep ticks apart", () => {
    // uPlot's steps for a kNN novelty axis; at 3 decimals they read 0.004, 0.004, 0.003, 0.003.
    expect(distinctTicks([0.0025, 0.003, 0.0035, 0.004])).toEqual(["0.0025", "0.0030", "0.0035", "0.0040"]);
    expect(distinctTicks([0, 0.5, 1, 1.5])).toEqual(["0.0", "0.5", "1.0", "1.5"]);
    expect(distinctTicks([0, 1, 2])).toEqual(["0", "1", "2"]);
    expect(distinctDecimals([1, 1])).toBe(8);
  });

  it("writes shares as percentages without rounding 2.5 to 3", () => {
    expect(distinctTicks([0, 0.025, 0.05, 0.075], { scale: 100, suffix: " %" })).toEqual([
      "0.0 %",
      "2.5 %",
      "5.0 %",
      "7.5 %",
    ]);
    expect(distinctTicks([0, 0.05, 0.1, null], { scale: 100, suffix: " %" })).toEqual([
      "0 %",
      "5 %",
      "10 %",
      "",
    ]);
  });

  it("prints a repeated time label once", () => {
    expect(withoutRepeats(["05:01:51", "05:01:51", "05:01:52", "05:01:52", "05:01:51"])).toEqual([
      "05:01:51",
      "",
      "05:01:52",
      "",
      "05:01:51",
    ]);
  });
});
