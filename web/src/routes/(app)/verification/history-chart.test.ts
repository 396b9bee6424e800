import { describe, expect, it } from "vitest";
import { scales } from "./history-chart.ts";

const box = { width: 200, height: 100, left: 20, right: 0, top: 0, bottom: 20 };

describe("history chart scales", () => {
  it("pads the domain around close values and maps time and value into the plot", () => {
    const s = scales(
      [
        { t: 0, v: 0.99 },
        { t: 10, v: 0.995 },
      ],
      box,
    );
    expect(s.domain.min).toBeCloseTo(0.9895, 10);
    expect(s.domain.max).toBeCloseTo(0.9955, 10);
    expect(s.x(0)).toBe(20);
    expect(s.x(10)).toBe(200);
    expect(s.y(s.domain.max)).toBeCloseTo(0, 10);
    expect(s.y(s.domain.min)).toBeCloseTo(80, 10);
    // A span of 0.006 over about four steps: steps of 0.002.
    expect(s.ticks).toEqual([0.99, 0.992, 0.994]);
  });

  it("includes a threshold, clamps to [0, 1] and centres a single run", () => {
    const s = scales([{ t: 5, v: 0.999 }], box, [0.98]);
    expect(s.domain.max).toBe(1);
    // 10 % of the span 0.019 below the threshold.
    expect(s.domain.min).toBeCloseTo(0.9781, 10);
    expect(s.x(5)).toBe(110);
  });
});
