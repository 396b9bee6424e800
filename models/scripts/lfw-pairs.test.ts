import { describe, expect, it } from "vitest";
import { balancedSubset, imagesOf, type Pair, scorePairs } from "./lfw-pairs.ts";

const pairs: Pair[] = [
  { left: "a/1", right: "a/2", same: true },
  { left: "b/1", right: "b/2", same: true },
  { left: "a/1", right: "c/1", same: false },
  { left: "b/2", right: "c/1", same: false },
];

describe("LFW pair helpers", () => {
  it("keeps both classes when limiting and lists each image once", () => {
    expect(balancedSubset(pairs, 2).map((p) => p.same)).toEqual([true, false]);
    expect(imagesOf(pairs)).toEqual(["a/1", "a/2", "b/1", "b/2", "c/1"]);
  });

  it("scores by cosine and counts a missing face as a rejection (−1), not a dropped pair", () => {
    const unit = (x: number, y: number) => new Float32Array([x, y]);
    const embeddings = new Map([
      ["a/1", { e: unit(1, 0) }],
      ["a/2", { e: unit(1, 0) }],
      ["b/2", { e: unit(0, 1) }],
      ["c/1", { e: unit(0.6, 0.8) }],
    ]);
    // Genuine: 1 and −1 (b/1 has no face); impostor: 0.6 and 0.8. Ordered pairs won: 2 of 4.
    const result = scorePairs(pairs, embeddings, "e");
    expect(result.pairs).toBe(4);
    expect(result.auc).toBeCloseTo(0.5, 12);
  });
});
