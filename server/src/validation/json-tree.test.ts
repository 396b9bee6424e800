import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkJsonTree, jsonDepth } from "./json-tree.ts";

describe("checkJsonTree", () => {
  it("passes any JSON value within the depth whose text is well-formed", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        fc.pre(!JSON.stringify(value).includes("\\u0000"));
        expect(checkJsonTree(value, { maxDepth: 6 })).toBeNull();
      }),
    );
  });

  it("names the path of a NUL or a lone surrogate, in values and keys", () => {
    expect(checkJsonTree({ items: [{ id: "ok" }, { id: "x\uD800" }] }, { maxDepth: 8 })).toMatchObject({
      path: "items[1].id",
      message: expect.stringMatching(/lone surrogate/),
    });
    expect(checkJsonTree({ a: { "k\u0000": 1 } }, { maxDepth: 8 })).toMatchObject({
      path: "a",
      message: expect.stringMatching(/key.*NUL/),
    });
    expect(checkJsonTree(["\u0000"], { maxDepth: 8 })).toMatchObject({ path: "[0]" });
  });

  it("refuses nesting beyond the limit without overflowing the stack, however deep", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(checkJsonTree(deep, { maxDepth: 32 })?.message).toMatch(/deeper than 32/);
    expect(jsonDepth(deep)).toBe(100_000);
    let object: unknown = 1;
    for (let i = 0; i < 5; i++) object = { a: object };
    expect(checkJsonTree(object, { maxDepth: 5 })).toBeNull();
    expect(checkJsonTree(object, { maxDepth: 4 })).toMatchObject({ path: "a.a.a.a" });
  });
});
