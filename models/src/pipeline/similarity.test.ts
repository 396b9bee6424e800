import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Point } from "./image.ts";
import { applyAffine, estimateSimilarity, invertAffine } from "./similarity.ts";

describe("estimateSimilarity", () => {
  it("matches the documented example: scale 2, rotation 90°, shift (1, 1)", () => {
    const m = estimateSimilarity(
      [
        [0, 0],
        [1, 0],
      ],
      [
        [1, 1],
        [1, 3],
      ],
    );
    for (const [i, v] of [0, -2, 1, 2, 0, 1].entries()) expect(m[i]).toBeCloseTo(v, 12);
  });

  it("recovers any known similarity from five exact correspondences", () => {
    const source: Point[] = [
      [38.3, 51.7],
      [73.5, 51.5],
      [56.0, 71.7],
      [41.5, 92.4],
      [70.7, 92.2],
    ];
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        (scale, angle, tx, ty) => {
          const a = scale * Math.cos(angle);
          const b = scale * Math.sin(angle);
          const truth = [a, -b, tx, b, a, ty] as const;
          const target = source.map((p) => applyAffine(truth, p));
          const m = estimateSimilarity(source, target);
          for (const [i, v] of truth.entries()) expect(m[i]).toBeCloseTo(v, 6);
        },
      ),
    );
  });

  it("is the least-squares fit under noise: residuals have zero mean", () => {
    const from: Point[] = [
      [0, 0],
      [10, 0],
      [0, 10],
      [10, 10],
    ];
    const to: Point[] = [
      [0.3, -0.2],
      [9.8, 0.1],
      [-0.1, 10.2],
      [10.1, 9.9],
    ];
    const m = estimateSimilarity(from, to);
    const residuals = from.map((p, i) => applyAffine(m, p).map((v, k) => v - ((to[i] as Point)[k] ?? 0)));
    expect(residuals.reduce((s, r) => s + (r[0] ?? 0), 0)).toBeCloseTo(0, 10);
    expect(residuals.reduce((s, r) => s + (r[1] ?? 0), 0)).toBeCloseTo(0, 10);
  });

  it("rejects mismatched or degenerate point sets", () => {
    expect(() => estimateSimilarity([[0, 0]], [[0, 0]])).toThrow(RangeError);
    expect(() =>
      estimateSimilarity(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(/coincide/);
  });

  it("inverts: inverse ∘ map is the identity", () => {
    const m = [1.5, -0.4, 7, 0.4, 1.5, -3] as const;
    const p = applyAffine(invertAffine(m), applyAffine(m, [12, -5]));
    expect(p[0]).toBeCloseTo(12, 10);
    expect(p[1]).toBeCloseTo(-5, 10);
  });
});
