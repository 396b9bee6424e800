/**
 * The scheduler's "queued once" promise across real connections: six replicas, each with its own
 * postgres.js pool, enqueue the same due slots at once on a real PostgreSQL. The server here has
 * no pgvector, so only the tables `enqueueDue` touches are created, from the drizzle table
 * objects, in a fresh schema (see `streaming/testing/postgres.ts` for the same approach).
 */
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../db/postgres.ts";
import { jobs } from "../db/schema/job.ts";
import { referenceSets } from "../db/schema/reference-set.ts";
import { streams } from "../db/schema/stream.ts";
import { tenants } from "../db/schema/tenant.ts";
import { postgresAvailable, TEST_PG_URL } from "../streaming/testing/postgres.ts";
import { BatchScheduler } from "./scheduler.ts";

const available = postgresAvailable;

describe.skipIf(!available)("BatchScheduler on PostgreSQL (no pgvector needed)", { timeout: 60_000 }, () => {
  const schema = `batch_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = `${TEST_PG_URL}${TEST_PG_URL.includes("?") ? "&" : "?"}search_path=${schema}`;
  let sql: postgres.Sql;

  beforeAll(async () => {
    sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql.unsafe(`CREATE SCHEMA ${schema}`);
    const statements = await generateMigration(
      generateDrizzleJson({}),
      generateDrizzleJson({ tenants, streams, referenceSets, jobs }),
    );
    for (const statement of statements) await sql.unsafe(statement.replaceAll('"public".', `"${schema}".`));
    await sql`INSERT INTO tenants (name) VALUES ('acme')`;
    await sql`INSERT INTO streams (tenant_id, name, model_id, model_version, dimension)
              SELECT id, s, 'm', '1', 64 FROM tenants, unnest(ARRAY['a', 'b', 'c']) AS s`;
    await sql`UPDATE streams SET check_schedule = '0 * * * *' WHERE name = 'c'`;
    await sql`INSERT INTO reference_sets (stream_id, version, model_id, model_version, dimension, active)
              SELECT id, 1, 'm', '1', 64, true FROM streams WHERE name IN ('a', 'c')`;
  });
  afterAll(async () => {
    await sql?.unsafe(`DROP SCHEMA ${schema} CASCADE`);
    await sql?.end();
  });

  it("six replicas enqueuing the same due slots at once queue each slot exactly once", async () => {
    const replicas = Array.from({ length: 6 }, (_, i) => {
      const database = openPostgres(url, { max: 2 });
      const scheduler = new BatchScheduler({
        database,
        owner: `r${i}`,
        now: () => new Date("2026-11-22T03:00:05Z"),
        lookbackMs: 2 * 3_600_000,
      });
      return { database, scheduler };
    });
    try {
      const added = await Promise.all(replicas.map((r) => r.scheduler.enqueueDue()));
      const queued = await sql<{ key: string }[]>`SELECT payload->>'key' AS key FROM jobs ORDER BY 1`;
      // Stream a: its default daily 02:00 slot and the weekly Sunday 03:00 one; b has no
      // reference; c runs hourly (02:00 and 03:00 in the look-back) plus the weekly one.
      const ids = await sql<{ id: string; name: string }[]>`SELECT id::text AS id, name FROM streams`;
      const id = (name: string) => ids.find((s) => s.name === name)?.id;
      expect(queued.map((q) => q.key)).toEqual(
        [
          `scheduled:${id("a")}:2026-11-22T02:00:00.000Z`,
          `scheduled:${id("c")}:2026-11-22T02:00:00.000Z`,
          `scheduled:${id("c")}:2026-11-22T03:00:00.000Z`,
          `weekly:${id("a")}:2026-11-22T03:00:00.000Z`,
          `weekly:${id("c")}:2026-11-22T03:00:00.000Z`,
        ].sort(),
      );
      expect(added.reduce((s, n) => s + n, 0)).toBe(5);
    } finally {
      await Promise.all(replicas.map((r) => r.database.close()));
    }
  });
});
