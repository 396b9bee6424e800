import { describe, expect, it } from "vitest";
import { iou, nonMaxSuppression } from "./nms.ts";

const box = (x: number, y: number, side: number) => ({ x, y, width: side, height: side });

describe("nonMaxSuppression", () => {
  it("computes IoU of overlapping and disjoint boxes", () => {
    expect(iou(box(0, 0, 10), box(5, 0, 10))).toBeCloseTo(50 / 150, 12);
    expect(iou(box(0, 0, 10), box(20, 20, 10))).toBe(0);
  });

  it("keeps the best of an overlapping cluster and every separate face", () => {
    const kept = nonMaxSuppression(
      [
        { box: box(0, 0, 10), score: 0.7 },
        { box: box(1, 0, 10), score: 0.9 },
        { box: box(50, 50, 10), score: 0.8 },
      ],
      0.4,
    );
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.8]);
  });
});
