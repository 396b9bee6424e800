import { endianness } from "node:os";
import type { Readable } from "node:stream";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type postgres from "postgres";
import { FacedriftError } from "../errors.ts";
import { type Database, queryRows } from "./database.ts";
import { parseVectorText } from "./schema/vector-column.ts";

/** Rows of `(key bigint, embedding vector)` as a row-major matrix. */
export interface KeyedVectors {
  /** `seq` or `id` of each row, in query order. */
  keys: number[];
  n: number;
  dimension: number;
  /** n × dimension float32, row-major. */
  x: Float32Array;
}

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

/**
 * Runs `select` (a trusted statement producing exactly `key bigint, embedding vector` columns,
 * with values inlined: COPY takes no parameters) and returns its rows.
 *
 * The fast path is `COPY (…) TO … WITH (FORMAT binary)`: pgvector's binary form is the float32
 * values themselves, so nothing is printed or parsed as text. On PGlite that is ~12× faster than
 * `embedding::text` (measured: 20,000 512-D rows in 0.36 s against ~12 s; see
 * `server/bench/batch.bench.ts`), because float printing and parsing run in WebAssembly and in
 * JS per value. Any other driver falls back to the text form (without `settings`).
 *
 * `settings` are planner settings for this statement alone (see `PlannerSettings`).
 */
export async function copyKeyedVectors(
  database: Database,
  select: string,
  dimension: number,
  order: "as-is" | "reversed" = "as-is",
  expectedRows?: number,
  settings?: PlannerSettings,
): Promise<KeyedVectors> {
  const client = (database as Database & { client?: unknown }).client;
  if (database.driver === "postgres" && client) {
    // Parsed chunk by chunk as postgres.js hands them over (one per row): no copy of the whole
    // stream, and the vectors' bytes go straight to where they stay.
    const parser = new KeyedVectorParser(dimension, expectedRows);
    await postgresCopy(
      client as postgres.Sql,
      `COPY (${select}) TO STDOUT WITH (FORMAT binary)`,
      settings,
      async (readable) => {
        let failed: unknown = null;
        await new Promise<void>((resolve, reject) => {
          readable.on("data", (chunk: Uint8Array) => {
            if (failed) return; // the rest is read all the same, so the connection stays usable
            try {
              parser.push(chunk);
            } catch (error) {
              failed = error;
            }
          });
          readable.once("end", resolve);
          readable.once("error", reject);
        });
        resumeAfterCopy(readable);
        if (failed) throw failed;
      },
    );
    return parser.finish(order);
  }
  const bytes = await copyOut(database, select, settings);
  if (bytes) return parseBinaryCopy(bytes, dimension, order);
  const rows = await queryRows<{ key: string; embedding: string }>(
    database.db,
    sql.raw(`SELECT key::text AS key, embedding::text AS embedding FROM (${select}) AS t(key, embedding)`),
  );
  const x = new Float32Array(rows.length * dimension);
  if (order === "reversed") rows.reverse();
  rows.forEach((row, i) => {
    x.set(parseVectorText(row.embedding), i * dimension);
  });
  return { keys: rows.map((r) => Number(r.key)), n: rows.length, dimension, x };
}

/**
 * `COPY (select) TO … WITH (FORMAT binary)` as bytes: PGlite writes it to its `/dev/blob`,
 * postgres.js streams `COPY … TO STDOUT`. Null for a database that offers neither.
 */
export async function copyOut(
  database: Database,
  select: string,
  settings?: PlannerSettings,
): Promise<Uint8Array | null> {
  const client = (database as Database & { client?: unknown }).client;
  const copy = `COPY (${select}) TO ${database.driver === "pglite" ? "'/dev/blob'" : "STDOUT"} WITH (FORMAT binary)`;
  if (database.driver === "pglite" && client) {
    const pglite = client as PGlite;
    const result = settings
      ? await pglite.transaction(async (tx) => {
          await tx.query(setLocally(settings));
          return tx.query(copy);
        })
      : await pglite.query(copy);
    const blob = result.blob;
    if (!blob) throw new Error("PGlite returned no blob for COPY TO '/dev/blob'");
    return new Uint8Array(await blob.arrayBuffer());
  }
  if (database.driver === "postgres" && client) {
    let bytes = Buffer.alloc(0);
    await postgresCopy(client as postgres.Sql, copy, settings, async (readable) => {
      const chunks: Buffer[] = [];
      for await (const chunk of readable) chunks.push(chunk as Buffer);
      resumeAfterCopy(readable);
      bytes = Buffer.concat(chunks);
    });
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return null;
}

/**
 * Planner settings (`enable_sort` → `off`, …) for one COPY only: it then runs in a transaction
 * of its own that sets them with `SET LOCAL`, so no other statement on the connection sees them.
 */
export type PlannerSettings = Readonly<Record<string, "on" | "off">>;

/** One statement that sets `settings` until the end of the transaction. */
function setLocally(settings: PlannerSettings): string {
  const calls = Object.entries(settings).map(([name, value]) => {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`not a planner setting: ${name}`);
    return `set_config('${name}', '${value === "on" ? "on" : "off"}', true)`;
  });
  return `SELECT ${calls.join(", ")}`;
}

/**
 * Runs `copy` (a COPY … TO STDOUT) on postgres.js and hands its stream to `take`, which must
 * consume it; with `settings`, inside a transaction that sets them first.
 */
async function postgresCopy(
  client: postgres.Sql,
  copy: string,
  settings: PlannerSettings | undefined,
  take: (readable: Readable) => Promise<void>,
): Promise<void> {
  if (!settings) return take(await client.unsafe(copy).readable());
  await client.begin(async (tx) => {
    await tx.unsafe(setLocally(settings));
    await take(await tx.unsafe(copy).readable());
  });
}

/**
 * postgres.js 3.4 leaves the connection's socket paused when the last CopyData of a COPY TO
 * filled the stream's buffer in the same network chunk as CopyDone: the stream ends, nothing
 * asks it for more, and the next query on that connection waits forever (porsager/postgres
 * PR #1016, unmerged; reproduced here with 100 rows on PostgreSQL 15 and over pglite-socket,
 * `db/vector-copy.test.ts`). The stream's own read hook is what resumes the socket, so call it
 * once the data is consumed; resuming a flowing socket does nothing.
 */
function resumeAfterCopy(readable: Readable): void {
  (readable as Readable & { _read(size: number): void })._read(0);
}

/**
 * Parses PostgreSQL's binary COPY format (header, then per tuple: int16 field count, and per
 * field int32 length + bytes; big-endian) for tuples `(int8, vector)`. pgvector's `vector_send`
 * writes int16 dim, int16 unused, then dim float4. "reversed" stores the last tuple first.
 */
export function parseBinaryCopy(
  bytes: Uint8Array,
  dimension: number,
  order: "as-is" | "reversed" = "as-is",
): KeyedVectors {
  const parser = new KeyedVectorParser(dimension, Math.floor(bytes.length / (22 + 4 * dimension)));
  parser.push(bytes);
  return parser.finish(order);
}

const LITTLE_ENDIAN = endianness() === "LE";

/**
 * The same format fed in pieces of any size (a network stream's chunks). Each row's float4 bytes
 * are copied as they are into the output and byte-swapped once at the end (`Buffer#swap32`), the
 * same bits a per-value `DataView.getFloat32` gives, without a call per value.
 */
export class KeyedVectorParser {
  private readonly rowBytes: number;
  private readonly vectorBytes: number;
  private keys: number[] = [];
  private out: Uint8Array;
  private n = 0;
  /** Bytes of a header or row split across pieces, waiting for the rest. */
  private pending: Uint8Array | null = null;
  private headerDone = false;
  private ended = false;

  constructor(
    private readonly dimension: number,
    expectedRows = 256,
  ) {
    this.vectorBytes = 4 * dimension;
    this.rowBytes = 2 + 4 + 8 + 4 + 4 + this.vectorBytes;
    this.out = new Uint8Array(Math.max(1, expectedRows) * this.vectorBytes);
  }

  push(piece: Uint8Array): void {
    let bytes = piece;
    if (this.pending) {
      const joined = new Uint8Array(this.pending.length + piece.length);
      joined.set(this.pending);
      joined.set(piece, this.pending.length);
      bytes = joined;
      this.pending = null;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    if (!this.headerDone) {
      if (bytes.length < 19) {
        this.keep(bytes, 0);
        return;
      }
      if (SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error("not a PostgreSQL binary COPY stream");
      const headerBytes = 19 + view.getInt32(15);
      if (bytes.length < headerBytes) {
        this.keep(bytes, 0);
        return;
      }
      offset = headerBytes;
      this.headerDone = true;
    }
    while (offset + 2 <= bytes.length) {
      if (this.ended) throw new Error("binary COPY stream has data after its trailer");
      const fields = view.getInt16(offset);
      if (fields === -1) {
        this.ended = true;
        offset += 2;
        continue;
      }
      if (offset + this.rowBytes > bytes.length) break;
      const keyLength = view.getInt32(offset + 2);
      const vectorLength = view.getInt32(offset + 14);
      const dim = view.getInt16(offset + 18);
      if (
        fields !== 2 ||
        keyLength !== 8 ||
        vectorLength !== 4 + this.vectorBytes ||
        dim !== this.dimension
      ) {
        throw new FacedriftError(
          "internal",
          `row ${this.n} of the COPY stream is not (int8, vector(${this.dimension}))`,
        );
      }
      if ((this.n + 1) * this.vectorBytes > this.out.length) {
        const grown = new Uint8Array(this.out.length * 2);
        grown.set(this.out);
        this.out = grown;
      }
      this.keys.push(Number(view.getBigInt64(offset + 6)));
      this.out.set(bytes.subarray(offset + 22, offset + this.rowBytes), this.n * this.vectorBytes);
      this.n++;
      offset += this.rowBytes;
    }
    if (offset < bytes.length) this.keep(bytes, offset);
  }

  private keep(bytes: Uint8Array, from: number): void {
    this.pending = bytes.slice(from);
  }

  finish(order: "as-is" | "reversed" = "as-is"): KeyedVectors {
    if (!this.ended || this.pending) throw new Error("binary COPY stream has no trailer where expected");
    const { n, dimension, vectorBytes } = this;
    const used = n * vectorBytes;
    // Exactly n rows (a reader may hand `x.buffer` on), without a copy when the guess was right.
    const out = this.out.length === used ? this.out : this.out.slice(0, used);
    if (LITTLE_ENDIAN) Buffer.from(out.buffer, out.byteOffset, used).swap32();
    const keys = this.keys;
    if (order === "reversed") {
      keys.reverse();
      const row = new Uint8Array(vectorBytes);
      for (let i = 0, j = n - 1; i < j; i++, j--) {
        row.set(out.subarray(i * vectorBytes, (i + 1) * vectorBytes));
        out.copyWithin(i * vectorBytes, j * vectorBytes, (j + 1) * vectorBytes);
        out.set(row, j * vectorBytes);
      }
    }
    return { keys, n, dimension, x: new Float32Array(out.buffer, out.byteOffset, n * dimension) };
  }
}
