import { describe } from "vitest";
import { freshPostgres, postgresWithPgvector } from "../../db/testing/fresh-postgres.ts";
import { describeErasureEverywhere } from "./erasure.case.ts";

const available = await postgresWithPgvector();

describe.skipIf(!available)("on the real PostgreSQL", () => {
  describeErasureEverywhere("PostgreSQL", async () => {
    const fresh = await freshPostgres("fd_erasure");
    return { database: fresh.database, close: () => fresh.drop() };
  });
});
