/**
 * Test support (not a test): a fresh schema on a real PostgreSQL holding only the tables the
 * streaming worker touches. The server here has no pgvector, so the tables come from the drizzle
 * table objects (drizzle-kit's `generateMigration`) and `embeddings` is declared by hand with a
 * text column: pgvector's text form `[…]` reads back through `embedding::text` unchanged.
 */
import { connect } from "node:net";
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import postgres from "postgres";
import { alerts } from "../../db/schema/alert.ts";
import { driftEvents } from "../../db/schema/drift-event.ts";
import { embeddingScores } from "../../db/schema/embedding-score.ts";
import { referenceSets } from "../../db/schema/reference-set.ts";
import { streams } from "../../db/schema/stream.ts";
import { streamCursors } from "../../db/schema/stream-cursor.ts";
import { tenants } from "../../db/schema/tenant.ts";
import { formatVectorText } from "../../db/schema/vector-column.ts";

export const TEST_PG_URL = process.env.FACEDRIFT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 5432) });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface TestSchema {
  /** The server URL with `search_path` set to the schema: pass it to `openPostgres`. */
  url: string;
  /** An admin connection (search_path set) for seeding and checks. */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

export async function createStreamingSchema(baseUrl = TEST_PG_URL): Promise<TestSchema> {
  const schema = `streaming_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = `${baseUrl}${baseUrl.includes("?") ? "&" : "?"}search_path=${schema}`;
  const statements = await generateMigration(
    generateDrizzleJson({}),
    generateDrizzleJson({
      tenants,
      streams,
      referenceSets,
      streamCursors,
      driftEvents,
      alerts,
      embeddingScores,
    }),
  );
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE SCHEMA ${schema}`);
  for (const statement of statements) await sql.unsafe(statement.replaceAll('"public".', `"${schema}".`));
  await sql.unsafe(`CREATE TABLE embeddings (
    seq bigserial PRIMARY KEY, stream_id bigint NOT NULL, client_id text NOT NULL,
    event_time timestamptz NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),
    model_id text NOT NULL, model_version text NOT NULL, dimension int NOT NULL,
    embedding text NOT NULL, source text NOT NULL DEFAULT 'api', device text, metadata jsonb)`);
  return {
    url,
    sql,
    drop: async () => {
      await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await sql.end();
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
    // Seqs drawn first and assigned in row order, so seq order is the rows' order.
    const drawn = await sql<{ seq: string }[]>`
      SELECT nextval('embeddings_seq_seq')::text AS seq FROM generate_series(1, ${ids.length})`;
    const chunkSeqs = drawn.map((r) => Number(r.seq)).sort((a, b) => a - b);
    await sql`
      INSERT INTO embeddings (seq, stream_id, client_id, event_time, model_id, model_version, dimension, embedding)
      SELECT s, ${streamId}, c, t::timestamptz, 'synthetic', '1', ${d}, v
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
