import { describe, expect, it } from "vitest";
import { overlayHistogram } from "./histogram.ts";

describe("overlayHistogram", () => {
  it("bins both samples on shared edges as proportions", () => {
    const h = overlayHistogram([0, 0, 1, 2], [3, 4, 4, 4], 4);
    expect(h.width).toBe(1);
    expect(h.centres).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(h.first).toEqual([0.5, 0.25, 0.25, 0]);
    // 3 falls in the last bin with the top edge 4.
    expect(h.second).toEqual([0, 0, 0, 1]);
  });

  it("skips non-finite values and handles a constant or empty input", () => {
    expect(overlayHistogram([Number.NaN, 2, 2], [], 10)).toEqual({
      centres: [2],
      width: 1,
      first: [1],
      second: [0],
    });
    expect(overlayHistogram([], [])).toEqual({ centres: [], width: 0, first: [], second: [] });
  });
});
