/**
 * The streaming worker's page read on the real PostgreSQL, on day partitions without statistics
 * (freshly loaded, before autovacuum's ANALYZE; autovacuum is turned off for them here so it
 * cannot analyze them mid-test): a page must examine about a page of rows, not every row after
 * the cursor. Measured on the readers themselves through the server's own counters
 * (`pg_stat_user_tables`: heap rows fetched by index, bitmap and sequential scans of the
 * partitions), each test on a fresh database with a one-connection pool, so every statement
 * runs on the backend whose counters are flushed.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { ensureEmbeddingPartitions } from "../db/partitions.ts";
import { openPostgresTestDatabase, postgresAvailable } from "../db/testing/postgres-database.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { type ReadAfter, readAfterByCopy, readAfterByText } from "./read.ts";

const DIM = 16;
const BACKLOG = 6_000;
const PAGE = 500;

describe.skipIf(!postgresAvailable)("the worker's page read on partitions without statistics", () => {
  let database: Database;
  let close: () => Promise<void>;
  let streamId: number;

  beforeEach(async () => {
    ({ database, close } = await openPostgresTestDatabase("read_plan", { migrate: true, max: 1 }));
    await ensureEmbeddingPartitions(database.db, new Date());
    const children = await queryRows<{ name: string }>(
      database.db,
      sql`SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'embeddings'`,
    );
    for (const { name } of children)
      await database.db.execute(sql.raw(`ALTER TABLE "${name}" SET (autovacuum_enabled = false)`));
    const tenantId = await ensureTenant(database.db, "t");
    const v = new Float32Array(DIM);
    for (let start = 0; start < BACKLOG; start += 1000) {
      const items = Array.from({ length: 1000 }, (_, k) => {
        v.fill(start + k + 1); // seq i holds the value i
        return {
          id: `e${start + k}`,
          ts: 1_790_000_000_000 + start + k,
          embedding_b64: Buffer.from(v.buffer).toString("base64"),
        };
      });
      await ingestEmbeddings(database, { tenantId, stream: "s", model: { id: "m", version: "1" }, items });
    }
    const [row] = await queryRows<{ id: string }>(database.db, sql`SELECT id::text AS id FROM streams`);
    streamId = Number(row?.id);
  }, 120_000);

  afterEach(async () => {
    await close?.();
  });

  /** Heap rows the partitions of `embeddings` have given to scans so far (flushed counters). */
  async function rowsExamined(): Promise<number> {
    // This backend's pending counters go to the shared ones when it next goes idle.
    await database.db.execute(sql`SELECT pg_stat_force_next_flush()`);
    const [row] = await queryRows<{ n: string }>(
      database.db,
      sql`SELECT (coalesce(sum(coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0)), 0))::text AS n
          FROM pg_stat_user_tables WHERE relname LIKE 'embeddings\\_%'`,
    );
    return Number(row?.n);
  }

  async function examinedBy(read: ReadAfter, afterSeq: number) {
    const before = await rowsExamined();
    const slice = await read(streamId, afterSeq, PAGE, DIM);
    return { slice, examined: (await rowsExamined()) - before };
  }

  it.each([
    ["binary COPY", (db: Database) => readAfterByCopy(db)],
    ["text", (db: Database) => readAfterByText(db.db)],
  ] as const)(
    "reads a page by %s examining about a page of rows, at the start of the backlog and in its middle",
    async (_, reader) => {
      const [stats] = await queryRows<{ tuples: number }>(
        database.db,
        sql`SELECT c.reltuples::float8 AS tuples FROM pg_class c
          WHERE c.oid = (SELECT tableoid FROM embeddings WHERE stream_id = ${streamId} LIMIT 1)`,
      );
      // The premise: the rows' partition was never analyzed (reltuples -1 until ANALYZE or VACUUM).
      expect(stats?.tuples).toBe(-1);
      const read = reader(database);
      for (const after of [0, BACKLOG / 2]) {
        const { slice, examined } = await examinedBy(read, after);
        expect(slice.seqs).toEqual(Array.from({ length: PAGE }, (_, i) => after + 1 + i));
        expect(slice.x[0]).toBe(after + 1);
        expect(slice.hasMore).toBe(true);
        // A bitmap scan of the backlog would examine BACKLOG - after rows (6,000 and 3,000).
        expect(examined).toBeGreaterThanOrEqual(PAGE);
        expect(examined).toBeLessThanOrEqual(PAGE + 10);
      }
    },
  );

  it("reads the same rows after ANALYZE, in as few", async () => {
    const read = readAfterByCopy(database);
    const fresh = await read(streamId, 1000, PAGE, DIM);
    await database.db.execute(sql`ANALYZE embeddings`);
    const { slice, examined } = await examinedBy(read, 1000);
    expect(slice.seqs).toEqual(fresh.seqs);
    expect(slice.x).toEqual(fresh.x);
    expect(examined).toBeLessThanOrEqual(PAGE + 10);
  });
});
