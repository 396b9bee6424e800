/**
 * Write cost of 512-D embedding rows in PostgreSQL, for docs/scaling.md: binary COPY in
 * 1,000-row transactions with the idempotency-ledger insert ingestion does per batch, on 1 and 2
 * connections (two runs each), then WAL bytes and on-disk bytes per row. Works without pgvector:
 * the vector is a bytea of pgvector's binary size (4 + 4·512 bytes), STORAGE EXTERNAL as
 * pgvector declares its type, so the row is TOASTed the same way. Runs in a throwaway schema.
 *
 *   PG=postgres://postgres@127.0.0.1:5432/test npx tsx deploy/bench/pg-copy.ts
 */
import postgres from "postgres";

const URL = process.env.PG ?? "postgres://postgres@127.0.0.1:5432/test";
const DIM = 512,
  BATCH = 1000,
  BATCHES = Number(process.env.BATCHES ?? 40);
const schema = `copybench_${process.pid}`;
const admin = postgres(URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE SCHEMA ${schema}`);
await admin.unsafe(`SET search_path=${schema}`);
const setup = `
CREATE TABLE ${schema}.embeddings (seq bigserial, stream_id bigint NOT NULL, client_id text NOT NULL,
  event_time timestamptz NOT NULL, received_at timestamptz NOT NULL, model_id text NOT NULL,
  model_version text NOT NULL, dimension int NOT NULL, embedding bytea NOT NULL, source text NOT NULL,
  PRIMARY KEY (stream_id, seq, received_at)) PARTITION BY RANGE (received_at);
CREATE TABLE ${schema}.embeddings_p1 PARTITION OF ${schema}.embeddings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE ${schema}.embeddings ALTER COLUMN embedding SET STORAGE EXTERNAL;
ALTER TABLE ${schema}.embeddings_p1 ALTER COLUMN embedding SET STORAGE EXTERNAL;
CREATE TABLE ${schema}.embedding_ids (stream_id bigint, client_id text, received_at timestamptz, PRIMARY KEY (stream_id, client_id));`;
await admin.unsafe(setup);

const enc = new TextEncoder();
function copyBuffer(stream: number, batch: number): Buffer {
  const parts: Buffer[] = [
    Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]),
  ];
  const now = BigInt(Date.now() - 946_684_800_000) * 1000n;
  for (let i = 0; i < BATCH; i++) {
    const fields: Buffer[] = [];
    const i64 = (v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(v);
      return b;
    };
    const i32 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(v);
      return b;
    };
    const vec = Buffer.alloc(4 + 4 * DIM);
    vec.writeInt16BE(DIM, 0);
    for (let d = 0; d < DIM; d++) vec.writeFloatBE(Math.random() - 0.5, 4 + 4 * d);
    fields.push(
      i64(BigInt(stream)),
      Buffer.from(enc.encode(`e${batch}-${i}`)),
      i64(now),
      i64(now),
      Buffer.from("bench"),
      Buffer.from("1"),
      i32(DIM),
      vec,
      Buffer.from("api"),
    );
    const head = Buffer.alloc(2);
    head.writeInt16BE(fields.length);
    parts.push(head);
    for (const f of fields) parts.push(i32(f.length), f);
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}
const prepared = (stream: number) => Array.from({ length: BATCHES }, (_, b) => copyBuffer(stream, b));

async function ingest(sql: postgres.Sql, stream: number, buffers: Buffer[]) {
  for (let b = 0; b < buffers.length; b++) {
    await sql.begin(async (tx) => {
      const ids = Array.from({ length: BATCH }, (_, i) => `e${b}-${i}`);
      await tx.unsafe(
        `INSERT INTO ${schema}.embedding_ids SELECT $1, unnest($2::text[]), now() ON CONFLICT DO NOTHING`,
        [stream, ids],
      );
      const w = await tx
        .unsafe(
          `COPY ${schema}.embeddings (stream_id, client_id, event_time, received_at, model_id, model_version, dimension, embedding, source) FROM STDIN (FORMAT binary)`,
        )
        .writable();
      await new Promise<void>((res, rej) => {
        w.on("error", rej);
        w.on("finish", res);
        w.end(buffers[b]);
      });
    });
  }
}
const lsn = async () => (await admin`SELECT pg_current_wal_lsn()::text AS l`)[0]!.l as string;
const walBytes = async (a: string, b: string) =>
  Number((await admin`SELECT pg_wal_lsn_diff(${b}, ${a}) AS d`)[0]!.d);

const results: Record<string, unknown> = {};
for (const conns of [1, 2, 1, 2]) {
  const data = Array.from({ length: conns }, (_, c) =>
    prepared(1000 * conns + c + Math.floor(Math.random() * 1e6)),
  );
  const pools = data.map(() => postgres(URL, { max: 1, onnotice: () => {} }));
  const before = await lsn();
  const t = performance.now();
  await Promise.all(
    data.map((buffers, c) => ingest(pools[c]!, Number(String(c + 1) + String(Date.now() % 1e6)), buffers)),
  );
  const s = (performance.now() - t) / 1000;
  const rows = conns * BATCHES * BATCH;
  const wal = await walBytes(before, await lsn());
  const key = `${conns}conn`;
  const prev = (results[key] as number[] | undefined) ?? [];
  results[key] = [...prev, Math.round(rows / s)];
  results[`${key}_walBytesPerRow`] = Math.round(wal / rows);
  await Promise.all(pools.map((p) => p.end()));
}
const [{ n }] = await admin.unsafe(`SELECT count(*)::bigint AS n FROM ${schema}.embeddings`);
const [sizes] = await admin.unsafe(`SELECT pg_table_size('${schema}.embeddings_p1') AS heap_and_toast,
  pg_indexes_size('${schema}.embeddings_p1') AS pk, pg_total_relation_size('${schema}.embedding_ids') AS ledger,
  (SELECT pg_total_relation_size(reltoastrelid) FROM pg_class WHERE oid='${schema}.embeddings_p1'::regclass) AS toast`);
results.rows = Number(n);
for (const [k, v] of Object.entries(sizes!)) results[`${k}BytesPerRow`] = Math.round(Number(v) / Number(n));
console.log(JSON.stringify(results));
await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
await admin.end();
