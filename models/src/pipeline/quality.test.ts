import { describe, expect, it } from "vitest";
import { laplacianVariance, meanBrightness } from "./quality.ts";

const gray = (w: number, h: number, value: (x: number, y: number) => number) => {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set([value(x, y), value(x, y), value(x, y), 255], (y * w + x) * 4);
  return { data, width: w, height: h };
};

describe("quality signals", () => {
  it("a flat image has no Laplacian energy and its own grey level", () => {
    const flat = gray(10, 10, () => 77);
    expect(laplacianVariance(flat)).toBeCloseTo(0, 6);
    expect(meanBrightness(flat)).toBeCloseTo(77, 4);
  });

  it("a checkerboard (sharp) scores far above a ramp (smooth)", () => {
    // Interior Laplacian of a 0/255 checkerboard is ±1020, so its variance is 1020².
    const board = gray(10, 10, (x, y) => ((x + y) % 2 === 0 ? 0 : 255));
    expect(laplacianVariance(board)).toBeCloseTo(1020 ** 2, 0);
    expect(laplacianVariance(gray(10, 10, (x) => x * 20))).toBeCloseTo(0, 4);
  });
});
