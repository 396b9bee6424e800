import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./database.ts";
import { openPostgres } from "./postgres.ts";
import { PG_SERVER_URL, postgresAvailable } from "./testing/postgres-database.ts";

/**
 * The postgres.js binary COPY plumbing against a real PostgreSQL. pgvector is not needed: the
 * vector's binary form is checked by the contract suite on PGlite; this checks that bytes reach
 * the server through the transaction's COPY stream. Set FACEDRIFT_TEST_PG_URL to choose the
 * server (see `testing/postgres-database.ts`).
 */
const url = PG_SERVER_URL;
const available = postgresAvailable;

describe.skipIf(!available)("postgres.js binary COPY (real PostgreSQL)", () => {
  let database: Database;
  beforeAll(() => {
    database = openPostgres(url, { max: 1, copyTimeoutMs: 2_000 });
  });
  afterAll(() => database.close());

  it("loads a binary COPY stream inside a transaction, all or nothing", { timeout: 20_000 }, async () => {
    // Binary COPY of (int8 7, text 'héllo') followed by the trailer.
    const text = new TextEncoder().encode("héllo");
    const data = new Uint8Array(11 + 8 + 2 + 4 + 8 + 4 + text.length + 2);
    const view = new DataView(data.buffer);
    data.set([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00], 0);
    let o = 19;
    view.setInt16(o, 2);
    view.setInt32(o + 2, 8);
    view.setBigInt64(o + 6, 7n);
    view.setInt32(o + 14, text.length);
    data.set(text, o + 18);
    o += 18 + text.length;
    view.setInt16(o, -1);

    const rows = await database.bulkTransaction(async (tx) => {
      await tx.query("CREATE TEMP TABLE copy_probe (n int8, s text) ON COMMIT DROP");
      await tx.copyBinary?.("copy_probe", ["n", "s"], data);
      return tx.query<{ n: string; s: string }>("SELECT n::text AS n, s FROM copy_probe");
    });
    expect(rows).toEqual([{ n: "7", s: "héllo" }]);

    // A row the server rejects: postgres.js would wait forever; the deadline turns it into an
    // error, the transaction rolls back, and the connection stays usable.
    const failed = database.bulkTransaction(async (tx) => {
      await tx.query("CREATE TEMP TABLE copy_probe2 (n int8 CHECK (n > 100), s text)");
      await tx.copyBinary?.("copy_probe2", ["n", "s"], data);
    });
    await expect(failed).rejects.toThrow(/did not complete/);
    const left = await database.bulkTransaction((tx) =>
      tx.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'copy_probe2'"),
    );
    expect(left).toEqual([{ n: 0 }]);
  });
});
