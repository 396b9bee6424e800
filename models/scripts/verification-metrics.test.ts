import { describe, expect, it } from "vitest";
import { equalErrorRate, rocAuc } from "./verification-metrics.ts";

describe("rocAuc (sklearn roc_auc_score semantics)", () => {
  it("matches sklearn's documented example", () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
  });
  it("counts ties as one half", () => {
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
    expect(rocAuc([0.9, 0.5, 0.5], [true, true, false])).toBe(0.75);
  });
  it("counts ordered pairs: 14 of 15", () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];
    expect(rocAuc(scores, [true, true, false, true, false, false, false, false])).toBeCloseTo(14 / 15, 12);
  });
});

describe("equalErrorRate", () => {
  it("is 0 for perfect separation and 1/3 where the curves meet on a vertex", () => {
    expect(equalErrorRate([0.9, 0.8, 0.1], [true, true, false])).toBe(0);
    expect(
      equalErrorRate([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [true, true, false, true, false, false]),
    ).toBeCloseTo(1 / 3, 12);
  });
  it("interpolates between ROC vertices", () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];
    expect(equalErrorRate(scores, [true, true, false, true, false, false, false, false])).toBeCloseTo(
      0.2,
      12,
    );
    // fnr falls from 1/2 to 0 while fpr rises from 0 to 1/2 in one tie group: they cross at 1/4.
    expect(equalErrorRate([0.9, 0.5, 0.5, 0.1], [true, true, false, false])).toBeCloseTo(0.25, 12);
  });
});
