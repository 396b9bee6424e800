import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { equalErrorRate, rocAuc, rocCurve, tarAtFar, verificationMetrics } from "./verification.ts";

/** P(g > i) + ½P(g = i) by brute force over all genuine × impostor pairs. */
function bruteAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((g, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((s, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += g > s ? 1 : g === s ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe("verification metrics", () => {
  it("matches scikit-learn on a hand-checked example with ties", () => {
    // One ROC point per distinct score (the tied 0.7s form one point), as roc_curve gives.
    const scores = [0.9, 0.7, 0.7, 0.2];
    const labels = [1, 0, 1, 0];
    const curve = rocCurve(scores, labels);
    expect(Array.from(curve.fpr)).toEqual([0, 0, 0.5, 1]);
    expect(Array.from(curve.tpr)).toEqual([0, 0.5, 1, 1]);
    expect(rocAuc(curve)).toBe(0.875);
    // g = fpr − (1 − tpr) = [-1, -0.5, 0.5, 1]: crosses between points 1 and 2 at t = 0.5.
    expect(equalErrorRate(curve)).toBe(0.25);
  });

  it("AUC equals the brute-force pair count, exactly as a rational", () => {
    const data = fc
      .array(fc.record({ s: fc.integer({ min: 0, max: 20 }), l: fc.constantFrom(0, 1) }), {
        minLength: 2,
        maxLength: 200,
      })
      .filter((xs) => xs.some((x) => x.l === 1) && xs.some((x) => x.l === 0));
    fc.assert(
      fc.property(data, (xs) => {
        const scores = xs.map((x) => x.s / 7);
        const labels = xs.map((x) => x.l);
        expect(rocAuc(rocCurve(scores, labels))).toBe(bruteAuc(scores, labels));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it("EER lies where FPR = 1 − TPR on the interpolated curve, within [0, 1]", () => {
    const data = fc
      .array(fc.record({ s: fc.double({ min: -1, max: 1, noNaN: true }), l: fc.constantFrom(0, 1) }), {
        minLength: 2,
        maxLength: 200,
      })
      .filter((xs) => xs.some((x) => x.l === 1) && xs.some((x) => x.l === 0));
    fc.assert(
      fc.property(data, (xs) => {
        const curve = rocCurve(
          xs.map((x) => x.s),
          xs.map((x) => x.l),
        );
        const eer = equalErrorRate(curve);
        expect(eer).toBeGreaterThanOrEqual(0);
        expect(eer).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200, seed: 6 },
    );
  });

  it("perfect separation gives AUC 1, EER 0 and full TAR", () => {
    const m = verificationMetrics([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]);
    expect(m).toMatchObject({ auc: 1, eer: 0, tarAtFar: { "0.001": 1, "0.01": 1 }, genuine: 2, impostor: 2 });
    expect(tarAtFar(rocCurve([0.1, 0.9], [1, 0]), 0.5)).toBe(0);
  });

  it("rejects inputs it cannot score, naming the problem", () => {
    expect(() => verificationMetrics([1, 2], [1])).toThrow(/labels has 1/);
    expect(() => verificationMetrics([1, 2], [1, 1])).toThrow(/both genuine/);
    expect(() => verificationMetrics([1, 2], [1, 2])).toThrow(/labels\[1\] must be 0 or 1/);
    expect(() => verificationMetrics([1, Number.NaN], [1, 0])).toThrow(/scores\[1\] is NaN/);
  });
});
