import { describe, expect, it } from "vitest";
import { addNoise, applyGamma, IMAGE_SHIFTS, imageSeed, paramsHash } from "./shifts.ts";

describe("shifts", () => {
  it("have unique ids and a parameter hash that changes with the parameters", () => {
    const ids = IMAGE_SHIFTS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(paramsHash({ kind: "blur", sigma: 3 })).toBe(paramsHash({ kind: "blur", sigma: 3 }));
    expect(paramsHash({ kind: "blur", sigma: 3 })).not.toBe(paramsHash({ kind: "blur", sigma: 1.5 }));
  });

  it("gamma maps 0 and 255 to themselves, darkens mid-tones for γ > 1 and leaves alpha alone", () => {
    const rgba = Uint8ClampedArray.of(0, 128, 255, 200);
    applyGamma(rgba, 2);
    expect(Array.from(rgba)).toEqual([0, 64, 255, 200]);
  });

  it("noise is seeded per image, leaves alpha alone and has roughly the asked spread", () => {
    const make = () => Uint8ClampedArray.from({ length: 4 * 4000 }, (_, i) => (i % 4 === 3 ? 255 : 128));
    const a = make();
    const b = make();
    addNoise(a, 20, imageSeed("P/P_1.jpg", 1));
    addNoise(b, 20, imageSeed("P/P_1.jpg", 1));
    expect(a).toEqual(b);
    const c = make();
    addNoise(c, 20, imageSeed("P/P_2.jpg", 1));
    expect(c).not.toEqual(a);
    const rgb = Array.from(a).filter((_, i) => i % 4 !== 3);
    expect(
      Array.from(a)
        .filter((_, i) => i % 4 === 3)
        .every((v) => v === 255),
    ).toBe(true);
    const mean = rgb.reduce((s, v) => s + v, 0) / rgb.length;
    const sd = Math.sqrt(rgb.reduce((s, v) => s + (v - mean) ** 2, 0) / rgb.length);
    expect(Math.abs(mean - 128)).toBeLessThan(1);
    expect(sd).toBeGreaterThan(18);
    expect(sd).toBeLessThan(22);
  });
});
