import { describe, expect, it } from "vitest";
import { cosineSimilarity, imageToTensor, l2Normalize } from "./tensor.ts";

// Two pixels: (10, 20, 30) and (40, 50, 60).
const image = { data: new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 255]), width: 2, height: 1 };
const identity = { mean: [0, 0, 0], std: [1, 1, 1] };

describe("imageToTensor", () => {
  it("lays out planes for NCHW and interleaves for NHWC", () => {
    expect([...imageToTensor(image, { layout: "nchw", channels: "rgb", ...identity }).data]).toEqual([
      10, 40, 20, 50, 30, 60,
    ]);
    const nhwc = imageToTensor(image, { layout: "nhwc", channels: "rgb", ...identity });
    expect([...nhwc.data]).toEqual([10, 20, 30, 40, 50, 60]);
    expect(nhwc.dims).toEqual([1, 1, 2, 3]);
  });

  it("swaps to BGR and normalises per channel", () => {
    const t = imageToTensor(image, { layout: "nhwc", channels: "bgr", mean: [30, 20, 10], std: [2, 2, 2] });
    expect([...t.data]).toEqual([0, 0, 0, 15, 15, 15]);
  });

  it("encodes grey as BT.601 luma", () => {
    const t = imageToTensor(image, { layout: "nchw", channels: "gray", mean: [0], std: [1] });
    expect(t.dims).toEqual([1, 1, 1, 2]);
    expect(t.data[0]).toBeCloseTo(0.299 * 10 + 0.587 * 20 + 0.114 * 30, 4);
  });
});

describe("l2Normalize and cosineSimilarity", () => {
  it("scales to unit length and keeps direction", () => {
    const v = l2Normalize(new Float32Array([3, 4]));
    expect([...v]).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(cosineSimilarity(v, new Float32Array([6, 8]))).toBeCloseTo(1, 6);
    expect(cosineSimilarity(new Float32Array([1, 0]), new Float32Array([0, 2]))).toBe(0);
  });

  it("refuses a zero vector", () => {
    expect(() => l2Normalize(new Float32Array(4))).toThrow(RangeError);
  });
});
