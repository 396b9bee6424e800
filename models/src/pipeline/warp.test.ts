import { describe, expect, it } from "vitest";
import type { RgbaImage } from "./image.ts";
import { resize, warpAffine } from "./warp.ts";

/** A w×h image whose red channel is x·10 + y and green is 200, so each pixel names its coordinates. */
function coordinateImage(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set([x * 10 + y, 200, 0, 255], (y * w + x) * 4);
  }
  return { data, width: w, height: h };
}
const red = (image: RgbaImage, x: number, y: number) => image.data[(y * image.width + x) * 4];

describe("warpAffine", () => {
  const source = coordinateImage(8, 8);

  it("is exact for the identity and for integer shifts", () => {
    expect(warpAffine(source, [1, 0, 0, 0, 1, 0], 8, 8).data).toEqual(source.data);
    const shifted = warpAffine(source, [1, 0, -2, 0, 1, -3], 4, 4); // target (0,0) = source (2,3)
    expect(red(shifted, 0, 0)).toBe(23);
    expect(red(shifted, 3, 2)).toBe(55);
  });

  it("interpolates bilinearly between pixel centres", () => {
    // Red is linear in x and y, so bilinear sampling at (3.3, 2.6) is exact: 10·3.3 + 2.6 = 35.6 → 36.
    const between = warpAffine(source, [1, 0, -3.3, 0, 1, -2.6], 2, 2);
    expect(red(between, 0, 0)).toBe(36);
    expect(between.data[1]).toBe(200);
  });

  it("rotates a quarter turn about the image centre", () => {
    // x' = −y + 7, y' = x: column x of the source becomes row x of the target, reversed.
    const turned = warpAffine(source, [0, -1, 7, 1, 0, 0], 8, 8);
    expect(red(turned, 7, 0)).toBe(red(source, 0, 0));
    expect(red(turned, 0, 5)).toBe(red(source, 5, 7));
  });

  it("fills outside the source with opaque black", () => {
    const out = warpAffine(source, [1, 0, 100, 0, 1, 100], 2, 2);
    expect([...out.data]).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
  });
});

describe("resize", () => {
  it("keeps a constant image constant and halves pixel-centre aligned", () => {
    const flat = { data: new Uint8ClampedArray(16 * 16 * 4).fill(90), width: 16, height: 16 };
    const small = resize(flat, 8, 8);
    expect(small.data[(3 * 8 + 4) * 4]).toBe(90);
    const down = resize(coordinateImage(8, 8), 4, 4); // target (0,0) = source (0.5, 0.5)
    expect(red(down, 0, 0)).toBe(6);
  });
});
