import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailable, TEST_PG_URL } from "../streaming/testing/postgres.ts";
import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";
import { copyKeyedVectors, KeyedVectorParser, parseBinaryCopy } from "./vector-copy.ts";

/** A binary COPY stream of `(int8, vector)` rows, as PostgreSQL with pgvector writes it. */
function copyStream(keys: bigint[], rows: Float32Array, dimension: number, extension = 0): Uint8Array {
  const rowBytes = 22 + 4 * dimension;
  const out = new Uint8Array(19 + extension + keys.length * rowBytes + 2);
  const view = new DataView(out.buffer);
  out.set([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
  view.setInt32(15, extension);
  let o = 19 + extension;
  keys.forEach((key, i) => {
    view.setInt16(o, 2);
    view.setInt32(o + 2, 8);
    view.setBigInt64(o + 6, key);
    view.setInt32(o + 14, 4 + 4 * dimension);
    view.setInt16(o + 18, dimension);
    for (let j = 0; j < dimension; j++) view.setFloat32(o + 22 + 4 * j, rows[i * dimension + j] as number);
    o += rowBytes;
  });
  view.setInt16(o, -1);
  return out;
}

/** The rows one value at a time through `DataView.getFloat32` (the parser before the bulk swap). */
function valueByValue(
  bytes: Uint8Array,
  dimension: number,
  extension: number,
): { keys: number[]; x: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rowBytes = 22 + 4 * dimension;
  const n = (bytes.length - 19 - extension - 2) / rowBytes;
  const keys: number[] = [];
  const x: number[] = [];
  for (let i = 0, o = 19 + extension; i < n; i++, o += rowBytes) {
    keys.push(Number(view.getBigInt64(o + 6)));
    for (let j = 0; j < dimension; j++) x.push(view.getFloat32(o + 22 + 4 * j));
  }
  return { keys, x };
}

describe("KeyedVectorParser (binary COPY of (int8, vector) in pieces)", () => {
  it("gives the bits a value-by-value read gives, however the stream is cut and whatever it guessed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (dimension, n, extension, cuts, expectedRows, seed) => {
          // Any bit pattern but NaN (ingestion stores finite values): subnormals, -0, ±∞ included.
          const bits = new Uint32Array(n * dimension).map((_, i) => Math.imul(seed + i, 2654435761) >>> 0);
          const rows = new Float32Array(bits.buffer).map((v) => (Number.isNaN(v) ? -0 : v));
          const keys = Array.from({ length: n }, (_, i) => BigInt(seed) * 1000n + BigInt(i) - 5n);
          const bytes = copyStream(keys, rows, dimension, extension);
          const parser = new KeyedVectorParser(dimension, expectedRows);
          let at = 0;
          for (let c = 0; at < bytes.length; c++) {
            const size = cuts[c % cuts.length] as number;
            parser.push(bytes.subarray(at, at + size));
            at += size;
          }
          const parsed = parser.finish();
          const oracle = valueByValue(bytes, dimension, extension);
          expect(parsed.n).toBe(n);
          expect(parsed.keys).toEqual(oracle.keys);
          expect(parsed.x.length).toBe(n * dimension);
          expect(Array.from(parsed.x)).toEqual(oracle.x);
          expect(parsed.x.buffer.byteLength).toBe(n * dimension * 4);
          const reversed = parseBinaryCopy(bytes, dimension, "reversed");
          expect(reversed.keys).toEqual([...oracle.keys].reverse());
          for (let i = 0; i < n; i++)
            expect(Array.from(reversed.x.subarray(i * dimension, (i + 1) * dimension))).toEqual(
              oracle.x.slice((n - 1 - i) * dimension, (n - i) * dimension),
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a stream cut short, a row of another shape, and data after the trailer", () => {
    const bytes = copyStream([1n, 2n], Float32Array.of(1, 2, 3, 4), 2);
    const short = new KeyedVectorParser(2);
    short.push(bytes.subarray(0, bytes.length - 1));
    expect(() => short.finish()).toThrow(/no trailer/);
    expect(() => parseBinaryCopy(bytes, 3)).toThrow(/not \(int8, vector\(3\)\)/);
    const extra = new KeyedVectorParser(2);
    extra.push(bytes);
    expect(() => extra.push(bytes.subarray(19))).toThrow(/after its trailer/);
    expect(() =>
      parseBinaryCopy(
        Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
        2,
      ),
    ).toThrow(/not a PostgreSQL binary COPY stream/);
  });
});

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
