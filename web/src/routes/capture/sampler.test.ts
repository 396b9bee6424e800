import { describe, expect, it } from "vitest";
import { createSampler } from "./sampler.ts";

const unit = (...values: number[]) => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / norm);
};

describe("sampler", () => {
  it("sends at most rateHz faces per second", () => {
    const sampler = createSampler({ rateHz: 2, duplicateCosine: 0.995 });
    const verdicts = [0, 250, 499, 500, 900, 1000].map((t, i) => sampler.consider(unit(1, i, 0), t));
    expect(verdicts).toEqual(["send", "rate-limited", "rate-limited", "send", "rate-limited", "send"]);
  });

  it("skips a near-duplicate of the last face sent, and sends a different one", () => {
    const sampler = createSampler({ rateHz: 10, duplicateCosine: 0.995 });
    expect(sampler.consider(unit(1, 0, 0), 0)).toBe("send");
    expect(sampler.consider(unit(1, 0.05, 0), 200)).toBe("duplicate"); // cosine 0.9988
    expect(sampler.consider(unit(1, 0.2, 0), 400)).toBe("send"); // cosine 0.981
    expect(sampler.consider(unit(1, 0, 0), 600)).toBe("send"); // compared with the last sent only
  });
});
