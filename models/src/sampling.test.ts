import { describe, expect, it } from "vitest";
import { fmix32, fnv1a32, inSamplingShare } from "./sampling.ts";

describe("inSamplingShare", () => {
  it("is FNV-1a (published test vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    // MurmurHash3's fmix32 of 1 (as the reference C code computes it).
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
  });

  it("takes every face at 1, none at 0, and the same choice every time", () => {
    expect(inSamplingShare("x", 1)).toBe(true);
    expect(inSamplingShare("x", 0)).toBe(false);
    expect(inSamplingShare("face-7", 0.5)).toBe(inSamplingShare("face-7", 0.5));
  });

  it.each([
    ["UUID-like", (i: number) => `${i.toString(16).padStart(8, "0")}-4e2b-9c1d`],
    ["sequential", (i: number) => `face-${i}`],
    ["replica", (i: number) => `12:${(i * 7919).toString(16)}`],
  ])("takes about the share asked, over %s ids", (_, idOf) => {
    const ids = Array.from({ length: 4000 }, (_, i) => idOf(i));
    for (const share of [0.1, 0.5, 0.9]) {
      const taken = ids.filter((id) => inSamplingShare(id, share)).length / ids.length;
      // Binomial sd at n = 4,000 is at most 0.008; 0.04 is five of them.
      expect(Math.abs(taken - share)).toBeLessThan(0.04);
    }
  });

  it("takes a smaller share's faces within a larger share's (raising it keeps who was chosen)", () => {
    const ids = Array.from({ length: 500 }, (_, i) => `id-${i}`);
    for (const id of ids) if (inSamplingShare(id, 0.2)) expect(inSamplingShare(id, 0.6)).toBe(true);
  });
});
