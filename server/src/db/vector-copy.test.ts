import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailable, TEST_PG_URL } from "../streaming/testing/postgres.ts";
import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";
import { copyKeyedVectors } from "./vector-copy.ts";

describe("copyKeyedVectors on PGlite (pgvector's binary form)", () => {
  let database: Awaited<ReturnType<typeof openPglite>>;
  beforeAll(async () => {
    database = await openPglite();
    await database.client.exec(`CREATE EXTENSION IF NOT EXISTS vector;
      CREATE TABLE t (k bigint, v vector);
      INSERT INTO t VALUES (10, '[1,-2.5,3e-8]'), (11, '[0.1,0.2,0.3]'), (9007199254740991, '[-1,0,1]');`);
  }, 60_000);
  afterAll(() => database?.close());

  it("returns keys and float32 rows exactly as stored, in query order or reversed", async () => {
    const rows = await copyKeyedVectors(database, "SELECT k, v FROM t ORDER BY k", 3);
    expect(rows.keys).toEqual([10, 11, 9007199254740991]);
    expect(Array.from(rows.x)).toEqual(
      Array.from(Float32Array.from([1, -2.5, 3e-8, 0.1, 0.2, 0.3, -1, 0, 1])),
    );
    const reversed = await copyKeyedVectors(database, "SELECT k, v FROM t ORDER BY k", 3, "reversed");
    expect(reversed.keys).toEqual([9007199254740991, 11, 10]);
    expect(Array.from(reversed.x.subarray(0, 3))).toEqual([-1, 0, 1]);
  });

  it("refuses rows of another dimension", async () => {
    await expect(copyKeyedVectors(database, "SELECT k, v FROM t", 4)).rejects.toThrow(
      /not \(int8, vector\(4\)\)/,
    );
  });
});

const pgAvailable = postgresAvailable;

describe.skipIf(!pgAvailable)("copyKeyedVectors over postgres.js (COPY TO STDOUT)", () => {
  it("parses the stream; a bytea laid out like vector_send stands in for pgvector, absent here", async () => {
    const database = openPostgres(TEST_PG_URL, { max: 1 });
    try {
      // int16 dim = 2, int16 unused, then float4 big-endian π and 1.
      const rows = await copyKeyedVectors(
        database,
        "SELECT g::int8, decode('0002000040490fdb3f800000', 'hex') FROM generate_series(1, 3) AS g",
        2,
      );
      expect(rows.keys).toEqual([1, 2, 3]);
      expect(Array.from(rows.x.subarray(0, 2))).toEqual([Math.fround(Math.PI), 1]);
      expect(rows.n).toBe(3);
    } finally {
      await database.close();
    }
  });

  it("leaves the connection usable after a COPY larger than the stream's buffer (postgres.js paused-socket bug)", {
    timeout: 30_000,
  }, async () => {
    // One connection: without the fix, the query after a 2,000-row COPY waits forever.
    const database = openPostgres(TEST_PG_URL, { max: 1 });
    try {
      for (const rowsWanted of [100, 2000]) {
        const rows = await copyKeyedVectors(
          database,
          `SELECT g::int8, decode('0002000040490fdb3f800000', 'hex') FROM generate_series(1, ${rowsWanted}) AS g`,
          2,
        );
        expect(rows.n).toBe(rowsWanted);
        const [after] = await database.client`SELECT ${rowsWanted}::int AS n`;
        expect(after?.n).toBe(rowsWanted);
      }
    } finally {
      await database.close();
    }
  });
});
