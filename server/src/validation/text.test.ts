import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codePointLength, textProblem } from "./text.ts";

/** Any well-formed text (astral characters and U+FFFD included) without NUL. */
const wellFormed = () => fc.string({ unit: "binary" }).map((text) => text.replaceAll("\u0000", ""));

describe("textProblem", () => {
  it("accepts any well-formed text without NUL, U+FFFD and astral characters included", () => {
    fc.assert(
      fc.property(wellFormed(), (text) => {
        expect(textProblem(text)).toBeNull();
      }),
    );
  });

  it("refuses a lone surrogate wherever it is, and says where", () => {
    fc.assert(
      fc.property(
        wellFormed(),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        wellFormed(),
        (before, unit, after) => {
          // A low half right after a high half (or vice versa) would pair up; keep them apart.
          const text = `${before}.${String.fromCharCode(unit)}.${after}`;
          expect(textProblem(text)).toMatch(/lone surrogate/);
        },
      ),
    );
    expect(textProblem("ab\uDC00")).toMatch(/U\+DC00\) at index 2/);
    expect(textProblem("\uD83D\uDE00")).toBeNull();
  });

  it("refuses NUL", () => {
    expect(textProblem("a\u0000")).toMatch(/NUL.*index 1/);
  });

  it("counts code points, not UTF-16 units", () => {
    expect(codePointLength("😀é")).toBe(2);
  });
});
