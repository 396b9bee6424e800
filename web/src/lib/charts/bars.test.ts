import { describe, expect, it } from "vitest";
import { histogramShapes, niceMax, stackLayout } from "./bars.ts";

describe("bar geometry", () => {
  it("rounds the y-axis top up to 1, 2 or 5 × 10ᵏ", () => {
    expect([0, 0.5, 1, 3, 7, 10, 11, 180, 501].map(niceMax)).toEqual([1, 1, 1, 5, 10, 10, 20, 200, 1000]);
  });

  it("stacks series bottom to top and puts the marker in front", () => {
    const { max, slot, stacks, markers } = stackLayout(
      [
        { label: "a", values: [1, 2, 1], marker: 2 },
        { label: "b", values: [0, 0, 0] },
      ],
      100,
      40,
    );
    expect(max).toBe(5);
    expect(slot).toBe(50);
    expect(stacks[0]).toEqual([
      { x: 5, y: 32, width: 40, height: 8 },
      { x: 5, y: 16, width: 40, height: 16 },
      { x: 5, y: 8, width: 40, height: 8 },
    ]);
    expect(stacks[1]?.every((r) => r.height === 0)).toBe(true);
    expect(markers).toEqual([{ x: 20, y: 24, width: 10, height: 16 }, null]);
  });

  it("draws a histogram's bars and the reference's outline on one scale", () => {
    const { bars, outline } = histogramShapes([0.5, 0.25, 0.25], [0.25, 0.5, 0.25], 30, 10, 0.5);
    expect(bars.map((b) => [b.x, b.y, b.height])).toEqual([
      [0, 0, 10],
      [10, 5, 5],
      [20, 5, 5],
    ]);
    expect(outline).toBe("M0 10 L0 5 L10 5 L10 0 L20 0 L20 5 L30 5 L30 10");
  });
});
