import { rmSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./database.ts";
import { queryRows } from "./database.ts";
import { migrateDatabase } from "./migrate.ts";
import { migrationsUpTo } from "./testing/migrations-up-to.ts";
import { openMigratedTestDatabase, TEST_DRIVERS } from "./testing/postgres-database.ts";

/**
 * Migration 0016 drops the score cache's foreign key to `streams` (issue 17, item 4) and keeps
 * the one to `reference_sets`. What it must not change: scores already cached stay, and a
 * stream's (or a reference version's) scores still go with it, through the reference's cascade.
 */
describe.each(TEST_DRIVERS)("migration 0016 (score cache keyed once) on %s", (driver) => {
  let database: Database;
  let close: () => Promise<void>;
  let oldFolder: string;
  const ids = { a: 0, b: 0, refA1: 0, refA2: 0, refB: 0 };
  const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);
  const one = async <T>(query: ReturnType<typeof sql>) => (await rows<T>(query))[0] as T;
  const scoreKeys = () =>
    rows<{ key: string }>(
      sql`SELECT conname AS key FROM pg_constraint
          WHERE conrelid = 'embedding_scores'::regclass AND contype = 'f' ORDER BY conname`,
    );

  beforeAll(async () => {
    oldFolder = migrationsUpTo(15); // the release before 0016
    ({ database, close } = await openMigratedTestDatabase(driver, "score_fk_migration", oldFolder));
    const { id: tenantId } = await one<{ id: number }>(
      sql`INSERT INTO tenants (name) VALUES ('acme') RETURNING id::int AS id`,
    );
    for (const stream of ["a", "b"] as const) {
      ids[stream] = (
        await one<{ id: number }>(
          sql`INSERT INTO streams (tenant_id, name, model_id, model_version, dimension)
              VALUES (${tenantId}, ${stream}, 'm', '1', 2) RETURNING id::int AS id`,
        )
      ).id;
    }
    const reference = async (stream: number, version: number) =>
      (
        await one<{ id: number }>(
          sql`INSERT INTO reference_sets (stream_id, version, model_id, model_version, dimension)
              VALUES (${stream}, ${version}, 'm', '1', 2) RETURNING id::int AS id`,
        )
      ).id;
    ids.refA1 = await reference(ids.a, 1);
    ids.refA2 = await reference(ids.a, 2);
    ids.refB = await reference(ids.b, 1);
    await database.db.execute(
      sql`INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores) VALUES
            (${ids.refA1}, 1, ${ids.a}, '{1.5}'), (${ids.refA1}, 2, ${ids.a}, '{2.5}'),
            (${ids.refA2}, 1, ${ids.a}, '{-1.5}'), (${ids.refB}, 1, ${ids.b}, '{7}')`,
    );
    expect(await scoreKeys()).toEqual([
      { key: "embedding_scores_reference_set_id_reference_sets_id_fk" },
      { key: "embedding_scores_stream_id_streams_id_fk" },
    ]);
    await migrateDatabase(database);
  }, 120_000);

  afterAll(async () => {
    await close?.();
    if (oldFolder) rmSync(oldFolder, { recursive: true, force: true });
  });

  const scores = () =>
    rows<{ ref: number; seq: number; stream: number; score: number }>(
      sql`SELECT reference_set_id::int AS ref, seq::int AS seq, stream_id::int AS stream, scores[1] AS score
          FROM embedding_scores ORDER BY 1, 2`,
    );

  it("keeps one key, to the reference version, and every cached score", async () => {
    expect(await scoreKeys()).toEqual([{ key: "embedding_scores_reference_set_id_reference_sets_id_fk" }]);
    expect(await scores()).toEqual([
      { ref: ids.refA1, seq: 1, stream: ids.a, score: 1.5 },
      { ref: ids.refA1, seq: 2, stream: ids.a, score: 2.5 },
      { ref: ids.refA2, seq: 1, stream: ids.a, score: -1.5 },
      { ref: ids.refB, seq: 1, stream: ids.b, score: 7 },
    ]);
  });

  it("still refuses a score of a reference version that does not exist", async () => {
    const error = await database.db
      .execute(
        sql`INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores)
            VALUES (${ids.refB + 1000}, 9, ${ids.b}, '{1}')`,
      )
      .then(
        () => null,
        (e: unknown) => e as Error & { cause?: Error },
      );
    expect(error?.cause?.message ?? error?.message).toMatch(/violates foreign key constraint/);
  });

  it("removes a reference version's scores with it, and a stream's with the stream", async () => {
    await database.db.execute(sql`DELETE FROM reference_sets WHERE id = ${ids.refA2}`);
    expect((await scores()).map((s) => [s.ref, s.seq])).toEqual([
      [ids.refA1, 1],
      [ids.refA1, 2],
      [ids.refB, 1],
    ]);
    await database.db.execute(sql`DELETE FROM streams WHERE id = ${ids.a}`);
    expect((await scores()).map((s) => [s.ref, s.seq])).toEqual([[ids.refB, 1]]);
    // And with the tenant, which takes its streams.
    await database.db.execute(sql`DELETE FROM tenants`);
    expect(await scores()).toEqual([]);
  });
});
