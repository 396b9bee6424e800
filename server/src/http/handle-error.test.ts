import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formatPath, fromZodError } from "./handle-error.ts";

describe("error mapping", () => {
  it("formats zod paths as field names", () => {
    expect(formatPath(["items", 3, "embedding", 17])).toBe("items[3].embedding[17]");
    expect(formatPath(["model", "id"])).toBe("model.id");
    expect(formatPath([])).toBe("");
  });

  it("names the item of a batch body", () => {
    const schema = z.object({ items: z.array(z.object({ id: z.string() })) });
    const result = schema.safeParse({ items: [{ id: "a" }, { id: 5 }] });
    if (result.success) throw new Error("expected failure");
    expect(fromZodError(result.error, "json")).toMatchObject({
      code: "invalid_request",
      item: 1,
      field: "items[1].id",
    });
  });
});
