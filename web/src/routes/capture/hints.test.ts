import { describe, expect, it } from "vitest";
import { HINT_LIMITS, qualityHints } from "./hints.ts";

const good = { faceSize: 170, detectorScore: 0.99, blur: 110, brightness: 115 };

describe("qualityHints", () => {
  it("gives none for a face like the fake camera's (measured: size 174, blur 112, brightness 116)", () => {
    expect(qualityHints(good)).toEqual([]);
  });

  it("names each signal outside its limit", () => {
    expect(qualityHints({ ...good, faceSize: HINT_LIMITS.minFaceSize - 1 })).toEqual(["too-small"]);
    expect(qualityHints({ ...good, brightness: 20 })).toEqual(["too-dark"]);
    expect(qualityHints({ ...good, brightness: 240 })).toEqual(["too-bright"]);
    expect(qualityHints({ ...good, blur: 5 })).toEqual(["blurry"]);
    expect(qualityHints({ ...good, faceSize: 40, brightness: 20, blur: 5 })).toEqual([
      "too-small",
      "too-dark",
      "blurry",
    ]);
  });
});
