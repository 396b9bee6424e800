import { seededRng } from "@facedrift/stats";
import { describe, expect, it } from "vitest";
import { ARCFACE_112 } from "../registry/templates.ts";
import type { Point } from "./image.ts";
import { alignmentResidual, laplacianVariance, meanBrightness, noiseSigma, toneSignals } from "./quality.ts";
import { estimateSimilarity } from "./similarity.ts";

const gray = (w: number, h: number, value: (x: number, y: number) => number) => {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = value(x, y);
      data.set([v, v, v, 255], (y * w + x) * 4);
    }
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

  it("tone: RMS contrast, clipped share and chroma of known images", () => {
    const half = gray(10, 10, (x) => (x < 5 ? 100 : 200));
    expect(toneSignals(half).contrast).toBeCloseTo(50, 3);
    expect(toneSignals(half).clipped).toBe(0);
    expect(toneSignals(half).saturation).toBe(0);
    const white = gray(10, 10, (x) => (x < 3 ? 255 : 128));
    expect(toneSignals(white).clipped).toBeCloseTo(0.3, 6);
    const red = {
      data: new Uint8ClampedArray(4 * 4).fill(0).map((_, i) => [200, 50, 50, 255][i % 4] as number),
      width: 2,
      height: 2,
    };
    expect(toneSignals(red).saturation).toBe(150);
  });

  it("noise: Immerkær's estimate recovers the σ of added Gaussian noise and ignores smooth ramps", () => {
    const rng = seededRng(7);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    // Unclamped floats would be ideal; mid-grey keeps σ = 8 clear of the 0/255 bounds.
    const noisy = gray(200, 200, (x) => 100 + x * 0.3 + 8 * normal());
    expect(noiseSigma(noisy)).toBeGreaterThan(7.2);
    expect(noiseSigma(noisy)).toBeLessThan(8.8);
    expect(noiseSigma(gray(50, 50, (x, y) => x + 2 * y))).toBeCloseTo(0, 6);
  });

  it("alignment error is zero for the template itself and grows with a distorted face, whatever its scale", () => {
    const exact = ARCFACE_112.map(([x, y]) => [3 * x + 10, 3 * y - 4] as Point);
    expect(alignmentResidual(exact, ARCFACE_112, estimateSimilarity(exact, ARCFACE_112))).toBeCloseTo(0, 9);
    // A profile-like view: the nose and mouth slide sideways while the eyes stay.
    const turned = ARCFACE_112.map(([x, y], i) => [i >= 2 ? x + 12 : x, y] as Point);
    const small = turned.map(([x, y]) => [x / 4, y / 4] as Point);
    const e1 = alignmentResidual(turned, ARCFACE_112, estimateSimilarity(turned, ARCFACE_112));
    const e2 = alignmentResidual(small, ARCFACE_112, estimateSimilarity(small, ARCFACE_112));
    expect(e1).toBeGreaterThan(0.05);
    expect(e2).toBeCloseTo(e1, 9);
  });
});
