/**
 * How fast PostgreSQL itself takes ingestion's binary COPY stream, for a server WITHOUT pgvector
 * (the only one this development machine has): the same `encodeEmbeddingsCopy` bytes go into a
 * scratch table shaped like `embeddings` whose vector column is `bytea` (pgvector's binary
 * input is a length check and a memcpy, so bytea is a fair stand-in), one transaction per
 * 1,000-row batch with the ledger insert and stream update the real path does.
 *
 * Usage: npx tsx server/scripts/copy-throughput-pg.ts [postgres://postgres@127.0.0.1:5432/test] [batches=20] [connections=1]
 */

import { pgArrayLiteral } from "../src/db/pg-array.ts";
import { openPostgres } from "../src/db/postgres.ts";
import { COPY_COLUMNS, encodeEmbeddingsCopy } from "../src/services/embeddings/copy-encode.ts";
import { decodeBatch } from "../src/services/embeddings/decode.ts";

const url = process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/test";
const batches = Number(process.argv[3] ?? 20);
const connections = Number(process.argv[4] ?? 1);
const dim = 512;
const size = 1000;

const database = openPostgres(url, { max: connections });
const setup = [
  "DROP TABLE IF EXISTS fd_bench_embeddings, fd_bench_ids",
  `CREATE TABLE fd_bench_embeddings (seq bigserial, stream_id int8 NOT NULL, client_id text NOT NULL,
     event_time timestamptz NOT NULL, received_at timestamptz NOT NULL, model_id text NOT NULL,
     model_version text NOT NULL, dimension int4 NOT NULL, embedding bytea NOT NULL, source text NOT NULL,
     device text, metadata jsonb, PRIMARY KEY (stream_id, seq, received_at)) PARTITION BY RANGE (received_at)`,
  "CREATE TABLE fd_bench_embeddings_d PARTITION OF fd_bench_embeddings DEFAULT",
  "CREATE TABLE fd_bench_ids (stream_id int8, client_id text, received_at timestamptz, PRIMARY KEY (stream_id, client_id))",
];
for (const statement of setup) await database.bulkTransaction((tx) => tx.query(statement));

const bodies = Array.from({ length: batches }, (_, b) =>
  Array.from({ length: size }, (_, i) => ({
    id: `b${b}-${i}`,
    ts: 1_790_000_000_000 + i,
    embedding: Array.from({ length: dim }, (_, k) => Math.sin(b * 1e6 + i * dim + k)),
  })),
);

let encodeMs = 0;
/** Each connection writes its own stream, so its seqs are its own count (as ingestion's). */
const nextSeq = new Map<number, number>();
async function ingest(b: number, stream: number) {
  const t = performance.now();
  const batch = decodeBatch(bodies[b] ?? []);
  const rows = batch.ids.map((_, i) => i);
  const firstSeq = nextSeq.get(stream) ?? 1;
  nextSeq.set(stream, firstSeq + rows.length);
  const data = encodeEmbeddingsCopy(batch, rows, {
    firstSeq,
    streamId: stream,
    receivedAtMs: Date.now(),
    modelId: "m",
    modelVersion: "1",
    dimension: dim,
  });
  encodeMs += performance.now() - t;
  await database.bulkTransaction(async (tx) => {
    await tx.query(
      `INSERT INTO fd_bench_ids SELECT $1, unnest($2::text[]), now() ON CONFLICT DO NOTHING RETURNING client_id`,
      [stream, pgArrayLiteral(batch.ids)],
    );
    await tx.copyBinary?.("fd_bench_embeddings", COPY_COLUMNS, data);
  });
}

const start = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: connections }, async (_, c) => {
    while (next < batches) await ingest(next++, c + 1);
  }),
);
const seconds = (performance.now() - start) / 1000;
console.log(
  `PostgreSQL binary COPY: ${batches}×${size} ${dim}-D over ${connections} connection(s) in ${seconds.toFixed(2)} s = ` +
    `${Math.round((batches * size) / seconds)} rows/s (decode+encode in Node: ${(encodeMs / batches).toFixed(1)} ms per batch)`,
);
await database.bulkTransaction((tx) => tx.query("DROP TABLE fd_bench_embeddings, fd_bench_ids"));
await database.close();
