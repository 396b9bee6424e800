/**
 * The worker's readers under their planner settings (`PAGE_READ_SETTINGS`) give the rows of the
 * plain query, in its order, over holes in a stream's seqs (rows erased or dropped), on PGlite
 * and on the real PostgreSQL; and the settings stay inside the read's own transaction.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { openMigratedTestDatabase, TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { type ReadAfter, readAfterByCopy, readAfterByText } from "./read.ts";

const DIM = 8;
const ROWS = 300;

describe.each(TEST_DRIVERS)("the worker's page readers on %s", (driver) => {
  let database: Database;
  let close: () => Promise<void>;
  let streamId: number;

  beforeAll(async () => {
    ({ database, close } = await openMigratedTestDatabase(driver, "read_pages"));
    const tenantId = await ensureTenant(database.db, "t");
    const v = new Float32Array(DIM);
    const items = Array.from({ length: ROWS }, (_, k) => {
      v.fill(k + 1);
      v[0] = -(k + 1);
      return {
        id: `e${k}`,
        ts: 1_790_000_000_000 + k,
        embedding_b64: Buffer.from(v.buffer).toString("base64"),
      };
    });
    await ingestEmbeddings(database, { tenantId, stream: "s", model: { id: "m", version: "1" }, items });
    const [row] = await queryRows<{ id: string }>(database.db, sql`SELECT id::text AS id FROM streams`);
    streamId = Number(row?.id);
    // Holes: a run longer than a page, single rows, and the stream's first rows.
    await database.db.execute(
      sql`DELETE FROM embeddings WHERE stream_id = ${streamId}
          AND (seq BETWEEN 50 AND 149 OR seq IN (200, 202, 299) OR seq <= 3)`,
    );
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  it.each([
    ["binary COPY", (db: Database) => readAfterByCopy(db)],
    ["text", (db: Database) => readAfterByText(db.db)],
  ] as const)("reads by %s the plain query's rows in its order, over holes", async (_, reader) => {
    const expected = await queryRows<{ seq: string }>(
      database.db,
      sql`SELECT seq::text AS seq FROM embeddings WHERE stream_id = ${streamId} ORDER BY embeddings.seq`,
    );
    const read: ReadAfter = reader(database);
    const seqs: number[] = [];
    for (let after = 0; ; ) {
      const page = await read(streamId, after, 40, DIM);
      page.seqs.forEach((seq, i) => {
        expect(Array.from(page.x.subarray(i * DIM, (i + 1) * DIM))).toEqual([
          -seq,
          ...Array(DIM - 1).fill(seq),
        ]);
      });
      seqs.push(...page.seqs);
      if (!page.hasMore) break;
      after = page.seqs.at(-1) as number;
    }
    expect(seqs).toEqual(expected.map((r) => Number(r.seq)));
    expect(seqs).toHaveLength(ROWS - 100 - 3 - 3);
    // The read's settings ended with its transaction.
    const [setting] = await queryRows<{ value: string }>(
      database.db,
      sql`SELECT current_setting('enable_sort') AS value`,
    );
    expect(setting?.value).toBe("on");
  });
});
