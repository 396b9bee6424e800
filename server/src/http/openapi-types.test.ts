import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { API_TYPES_FILE, apiTypesSource } from "./openapi-types.ts";

describe("the web app's generated API types", () => {
  it("are what the routes generate now (else: npm run api:types)", async () => {
    const committed = await readFile(API_TYPES_FILE, "utf8");
    expect(
      committed === (await apiTypesSource()),
      "web/src/lib/api/openapi.ts is stale: run npm run api:types",
    ).toBe(true);
  });
});
