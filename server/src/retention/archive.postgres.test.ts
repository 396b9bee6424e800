import { describe } from "vitest";
import { freshPostgres, postgresWithPgvector } from "../db/testing/fresh-postgres.ts";
import { describeArchiveLifecycle } from "./archive.case.ts";

const available = await postgresWithPgvector();

describe.skipIf(!available)("on the real PostgreSQL", () => {
  describeArchiveLifecycle("PostgreSQL", async () => {
    const fresh = await freshPostgres("fd_archive");
    return { database: fresh.database, close: () => fresh.drop() };
  });
});
