import { rmSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import type { Database } from "./database.ts";
import { queryRows } from "./database.ts";
import { migrateDatabase } from "./migrate.ts";
import { migrationsUpTo } from "./testing/migrations-up-to.ts";
import { openMigratedTestDatabase, TEST_DRIVERS } from "./testing/postgres-database.ts";

/**
 * Migration 0015 on a database an older release filled: two tenants' streams whose rows took
 * interleaved numbers from the one server-wide sequence, one of A's days archived to a file,
 * and every stored value that names a seq. Afterwards each stream counts its own rows in the old
 * order, the archived day keeps its place, and every reference to a seq follows its row.
 */
describe.each(TEST_DRIVERS)("migration 0015 (per-stream seqs) on %s", (driver) => {
  let database: Database;
  let close: () => Promise<void>;
  let oldFolder: string;
  const ids = { a: 0, b: 0, refA: 0, refB: 0, tenantA: 0 };

  beforeAll(async () => {
    oldFolder = migrationsUpTo(14); // as the release before per-stream seqs shipped it
    ({ database, close } = await openMigratedTestDatabase(driver, "stream_seq_migration", oldFolder));
    const db = database.db;
    const one = async <T>(query: ReturnType<typeof sql>) => (await queryRows<T>(db, query))[0] as T;
    for (const tenant of ["a", "b"] as const) {
      const { id: tenantId } = await one<{ id: number }>(
        sql`INSERT INTO tenants (name) VALUES (${`tenant-${tenant}`}) RETURNING id::int AS id`,
      );
      if (tenant === "a") ids.tenantA = tenantId;
      ids[tenant] = (
        await one<{ id: number }>(
          sql`INSERT INTO streams (tenant_id, name, model_id, model_version, dimension)
              VALUES (${tenantId}, 'lobby', 'm', '1', 2) RETURNING id::int AS id`,
        )
      ).id;
    }
    // Old seqs 1 … 8 in this order, from the server-wide sequence as the old ingestion drew them.
    const order = ["a", "b", "a", "b", "a", "a", "b", "a"] as const;
    for (const [i, stream] of order.entries()) {
      await db.execute(
        sql`INSERT INTO embeddings (stream_id, client_id, event_time, received_at, model_id, model_version,
                                    dimension, embedding, source)
            VALUES (${ids[stream]}, ${`e${i + 1}`}, now(), now(), 'm', '1', 2, '[1,0]', 'api')`,
      );
    }
    // A's rows 3 and 5 were archived (two rows, old seqs 3 … 5) and are gone from the table.
    await db.execute(sql`DELETE FROM embeddings WHERE stream_id = ${ids.a} AND seq IN (3, 5)`);
    await db.execute(
      sql`INSERT INTO embedding_archives (stream_id, day, location, object_key, rows, bytes, sha256, first_seq, last_seq)
          VALUES (${ids.a}, '2026-11-01', 'file:///x', 'x', 2, 1, 'x', 3, 5)`,
    );
    // A's rows 6 and 8 are a restored day: in a file and stored again (restore's hold).
    await db.execute(
      sql`INSERT INTO embedding_archives (stream_id, day, location, object_key, rows, bytes, sha256, first_seq, last_seq,
                                          restored_until)
          VALUES (${ids.a}, '2026-11-02', 'file:///z', 'z', 2, 1, 'z', 6, 8, now() + interval '1 day')`,
    );
    // One of B's oldest days went to a file before 0009, which recorded no seq range.
    await db.execute(
      sql`INSERT INTO embedding_archives (stream_id, day, location, object_key, rows, bytes, sha256)
          VALUES (${ids.b}, '2026-09-01', 'file:///y', 'y', 2, 1, 'y')`,
    );
    for (const stream of ["a", "b"] as const) {
      ids[stream === "a" ? "refA" : "refB"] = (
        await one<{ id: number }>(
          sql`INSERT INTO reference_sets (stream_id, version, model_id, model_version, dimension)
              VALUES (${ids[stream]}, 1, 'm', '1', 2) RETURNING id::int AS id`,
        )
      ).id;
    }
    await db.execute(
      sql`INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores) VALUES
            (${ids.refA}, 6, ${ids.a}, '{6}'), (${ids.refA}, 8, ${ids.a}, '{8}'),
            (${ids.refA}, 3, ${ids.a}, '{3}'), (${ids.refB}, 7, ${ids.b}, '{7}')`,
    );
    await db.execute(
      sql`INSERT INTO drift_events (stream_id, seq, signal) VALUES
            (${ids.a}, 8, 'pc1'), (${ids.a}, 5, 'mmd'), (${ids.b}, 4, 'pc1')`,
    );
    await db.execute(
      sql`INSERT INTO drift_runs (stream_id, from_seq, to_seq) VALUES (${ids.a}, 6, 8), (${ids.b}, NULL, NULL)`,
    );
    const state = {
      format: "facedrift.stream-state/2",
      pc1: {},
      residual: null,
      mmd: { pending: 1, afterSeq: 6 },
      quality: { pending: 2, afterSeq: 1, sinceInput: null },
    };
    await db.execute(
      sql`INSERT INTO stream_cursors (stream_id, last_seq, adwin_state) VALUES
            (${ids.a}, 6, ${JSON.stringify(state)}::jsonb), (${ids.b}, 4, NULL)`,
    );
    await db.execute(
      sql`INSERT INTO alerts (tenant_id, stream_id, detector, severity, payload) VALUES
            (${ids.tenantA}, ${ids.a}, 'stream', 'warning', '{"seq": 8, "title": "t"}'),
            (${ids.tenantA}, ${ids.a}, 'batch', 'warning', '{"seq": 8, "title": "t"}')`,
    );
    await db.execute(sql`UPDATE streams SET last_seq = 8`);

    await migrateDatabase(database);
  }, 120_000);

  afterAll(async () => {
    await close?.();
    if (oldFolder) rmSync(oldFolder, { recursive: true, force: true });
  });

  const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);

  it("numbers each stream's stored rows in their old order, leaving the archived day its place", async () => {
    const seqs = await rows<{ stream: number; client: string; seq: number }>(
      sql`SELECT stream_id::int AS stream, client_id AS client, seq::int AS seq FROM embeddings ORDER BY stream_id, seq`,
    );
    expect(seqs).toEqual([
      { stream: ids.a, client: "e1", seq: 1 },
      { stream: ids.a, client: "e6", seq: 4 },
      { stream: ids.a, client: "e8", seq: 5 },
      // After the two rows of B's file from before 0009, which hold B's oldest days.
      { stream: ids.b, client: "e2", seq: 3 },
      { stream: ids.b, client: "e4", seq: 4 },
      { stream: ids.b, client: "e7", seq: 5 },
    ]);
    // The file keeps its old seqs (they are in its sealed associated data); restore maps them.
    expect(
      await rows(
        sql`SELECT first_seq::int AS first, last_seq::int AS last, seq_offset::int AS offset FROM embedding_archives ORDER BY id`,
      ),
    ).toEqual([
      { first: 3, last: 5, offset: 1 },
      // Restored: its rows are numbered where they are stored (4 and 5), not a second time.
      { first: 6, last: 8, offset: 3 },
      { first: null, last: null, offset: 0 },
    ]);
    expect(
      await rows(sql`SELECT id::int AS id, last_seq::int AS "lastSeq" FROM streams ORDER BY id`),
    ).toEqual([
      { id: ids.a, lastSeq: 5 },
      { id: ids.b, lastSeq: 5 },
    ]);
  });

  it("moves every stored reference to a seq with its row", async () => {
    expect(
      await rows(
        sql`SELECT reference_set_id::int AS ref, seq::int AS seq, scores[1]::int AS old FROM embedding_scores ORDER BY 1, 2`,
      ),
    ).toEqual([
      { ref: ids.refA, seq: 4, old: 6 },
      { ref: ids.refA, seq: 5, old: 8 },
      { ref: ids.refB, seq: 5, old: 7 },
    ]);
    expect(
      await rows(sql`SELECT stream_id::int AS stream, seq::int AS seq, signal FROM drift_events ORDER BY id`),
    ).toEqual([
      { stream: ids.a, seq: 5, signal: "pc1" },
      // An archived row's event names the last number of the archived block at or before it.
      { stream: ids.a, seq: 3, signal: "mmd" },
      { stream: ids.b, seq: 4, signal: "pc1" },
    ]);
    expect(
      await rows(sql`SELECT from_seq::int AS "from", to_seq::int AS "to" FROM drift_runs ORDER BY id`),
    ).toEqual([
      { from: 4, to: 5 },
      { from: null, to: null },
    ]);
    const cursors = await rows<{ lastSeq: number; state: { mmd: unknown; quality: unknown } | null }>(
      sql`SELECT last_seq::int AS "lastSeq", adwin_state AS state FROM stream_cursors ORDER BY stream_id`,
    );
    expect(cursors.map((c) => c.lastSeq)).toEqual([4, 4]);
    expect(cursors[0]?.state).toMatchObject({
      mmd: { pending: 1, afterSeq: 4 },
      quality: { pending: 2, afterSeq: 1, sinceInput: null },
    });
    expect(await rows(sql`SELECT detector, payload->'seq' AS seq FROM alerts ORDER BY id`)).toEqual([
      { detector: "stream", seq: 5 },
      { detector: "batch", seq: 8 },
    ]);
  });

  it("goes on counting per stream, with no server-wide sequence left", async () => {
    const model = { id: "m", version: "1" };
    const next = await ingestEmbeddings(database, {
      tenantId: ids.tenantA,
      stream: "lobby",
      model,
      items: [{ id: "n1", ts: Date.now(), embedding: [0, 1] }],
    });
    expect(next).toMatchObject({ accepted: 1, lastSeq: 6 });
    const fresh = await ingestEmbeddings(database, {
      tenantId: ids.tenantA,
      stream: "gate",
      model,
      items: [{ id: "g1", ts: Date.now(), embedding: [0, 1] }],
    });
    expect(fresh.lastSeq).toBe(1);
    expect(await rows(sql`SELECT 1 FROM pg_class WHERE relname = 'embeddings_seq'`)).toEqual([]);
  });
});
