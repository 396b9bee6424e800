import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelError } from "../errors.ts";
import { balancedSubset, imagesOf, parsePairs } from "./pairs.ts";

const LFW_PAIRS = resolve(import.meta.dirname, "../../../../shared/data/faces/pairs.tsv");

describe("parsePairs", () => {
  it("reads LFW's 1,000 View 1 test pairs, 500 of each class", () => {
    const pairs = parsePairs(readFileSync(LFW_PAIRS, "utf8"));
    expect(pairs).toHaveLength(1000);
    expect(pairs.filter((p) => p.same)).toHaveLength(500);
    expect(pairs[0]).toEqual({
      left: "Abdullah_Gul/Abdullah_Gul_0013.jpg",
      right: "Abdullah_Gul/Abdullah_Gul_0014.jpg",
      same: true,
    });
    expect(imagesOf(pairs)).toHaveLength(1549);
  });

  it("accepts CRLF and blank lines", () => {
    expect(parsePairs("left\tright\tsame\r\na\tb\t0\r\n\r\n")).toEqual([
      { left: "a", right: "b", same: false },
    ]);
  });

  it.each([
    ["a\tb\t1\n", "f:1: the header must be"],
    ["left\tright\tsame\na\tb\n", "f:2: expected 3 tab-separated fields"],
    ["left\tright\tsame\na\tb\t1\na\tb\tyes\n", 'f:3: same must be 0 or 1, got "yes"'],
    ["left\tright\tsame\n", "f:2: no pairs after the header"],
  ])("names the line of a bad table: %j", (text, message) => {
    const attempt = () => parsePairs(text, "f");
    expect(attempt).toThrow(ModelError);
    expect(attempt).toThrow(message);
  });

  it("keeps both classes when limiting", () => {
    const pairs = parsePairs("left\tright\tsame\na\tb\t1\nc\td\t1\na\tc\t0\nb\td\t0\n");
    expect(balancedSubset(pairs, 2).map((p) => p.same)).toEqual([true, false]);
  });
});
