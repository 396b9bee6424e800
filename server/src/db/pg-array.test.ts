import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "./database.ts";
import { pgArrayLiteral } from "./pg-array.ts";
import { openPglite } from "./pglite.ts";

describe("pgArrayLiteral", () => {
  let database: Awaited<ReturnType<typeof openPglite>>;
  beforeAll(async () => {
    database = await openPglite();
  }, 30_000);
  afterAll(() => database.close());

  it("formats NULLs, numbers and quotes", () => {
    expect(pgArrayLiteral(["a", null, 'b"c\\d', 1.5])).toBe('{"a",NULL,"b\\"c\\\\d",1.5}');
    expect(pgArrayLiteral([])).toBe("{}");
  });

  it("round-trips awkward strings through PostgreSQL", async () => {
    const values = ["", "NULL", "a,b", "{x}", 'q"uote', "back\\slash", " space ", "ünï😀", null];
    const [row] = await queryRows<{ v: (string | null)[] }>(
      database.db,
      sql`SELECT ${pgArrayLiteral(values)}::text[] AS v`,
    );
    expect(row?.v).toEqual(values);
  });
});
