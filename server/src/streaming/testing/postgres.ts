/**
 * Test support (not a test): a fresh, migrated database on the real PostgreSQL with pgvector (see
 * `db/testing/postgres-database.ts`) for tests that drive several connections or processes at
 * the streaming worker's tables, with helpers that seed streams and references by plain SQL.
 */
import postgres from "postgres";
import { migrateDatabase } from "../../db/migrate.ts";
import { openPostgres } from "../../db/postgres.ts";
import { formatVectorText } from "../../db/schema/vector-column.ts";
import {
  createPostgresTestDatabase,
  PG_SERVER_URL,
  postgresAvailable,
} from "../../db/testing/postgres-database.ts";

export { postgresAvailable };
/** The server the real-PostgreSQL tests use (`FACEDRIFT_TEST_PG_URL`). */
export const TEST_PG_URL = PG_SERVER_URL;

export interface TestSchema {
  /** The fresh database's URL: pass it to `openPostgres`. */
  url: string;
  /** An admin connection for seeding and checks. */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/** A fresh database with the whole Facedrift schema (migrated), and a connection for seeding. */
export async function createStreamingSchema(): Promise<TestSchema> {
  const fresh = await createPostgresTestDatabase("streaming");
  const migrator = openPostgres(fresh.url, { max: 1 });
  try {
    await migrateDatabase(migrator);
  } finally {
    await migrator.close();
  }
  const sql = postgres(fresh.url, { max: 1, onnotice: () => {} });
  return {
    url: fresh.url,
    sql,
    drop: async () => {
      await sql.end({ timeout: 1 });
      await fresh.drop();
    },
  };
}

/** Inserts a stream with `n` rows of `x` (row-major, dimension d) and bumps its counters. */
export async function insertStream(
  sql: postgres.Sql,
  tenantId: number,
  name: string,
  x: Float32Array,
  d: number,
): Promise<{ streamId: number; seqs: number[] }> {
  const [stream] = await sql<{ id: string }[]>`
    INSERT INTO streams (tenant_id, name, model_id, model_version, dimension)
    VALUES (${tenantId}, ${name}, 'synthetic', '1', ${d}) RETURNING id::text AS id`;
  const streamId = Number(stream?.id);
  const n = x.length / d;
  const seqs: number[] = [];
  for (let start = 0; start < n; start += 1000) {
    const end = Math.min(n, start + 1000);
    const ids = Array.from({ length: end - start }, (_, k) => `e${start + k}`);
    const times = ids.map((_, k) => new Date(1_790_000_000_000 + (start + k) * 1000).toISOString());
    const vectors = ids.map((_, k) => formatVectorText(x.subarray((start + k) * d, (start + k + 1) * d)));
    // Seqs count the stream's rows, as ingestion numbers them.
    const chunkSeqs = ids.map((_, k) => start + k + 1);
    await sql`
      INSERT INTO embeddings (seq, stream_id, client_id, event_time, received_at, model_id, model_version, dimension, embedding, source)
      SELECT s, ${streamId}, c, t::timestamptz, now(), 'synthetic', '1', ${d}, v::vector, 'api'
      FROM unnest(${chunkSeqs}::bigint[], ${ids}::text[], ${times}::text[], ${vectors}::text[]) AS u(s, c, t, v)`;
    seqs.push(...chunkSeqs);
  }
  await sql`UPDATE streams SET last_seq = ${seqs.at(-1) ?? 0}, embedding_count = ${n} WHERE id = ${streamId}`;
  return { streamId, seqs };
}

/** An active reference set (version 1) carrying `profile`. */
export async function insertReference(sql: postgres.Sql, streamId: number, profile: object): Promise<number> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO reference_sets (stream_id, version, model_id, model_version, dimension, active, profile)
    SELECT id, 1, model_id, model_version, dimension, true, ${sql.json(profile as postgres.JSONValue)}
    FROM streams WHERE id = ${streamId}
    RETURNING id::text AS id`;
  return Number(row?.id);
}
