/**
 * Where the streaming worker's time goes on the real PostgreSQL (issue 17, item 4): the bench's
 * stream (`server/bench/streaming.bench.ts`: 20,000 512-D embeddings, every recommended detector)
 * drained on the server path, then each PostgreSQL statement kind alone, with the CPU its
 * backends used (`/proc`) per embedding. Run under `node --cpu-prof` for the Node side.
 *
 * Usage: npx tsx server/scripts/profile-worker-pg.ts [drains=3]
 */
import { sql } from "drizzle-orm";
import { backendCpuSeconds, benchStream } from "../bench/streaming.bench.ts";
import { queryRows } from "../src/db/database.ts";
import { openPostgresTestDatabase } from "../src/db/testing/postgres-database.ts";
import { readAfterByCopy, readAhead } from "../src/streaming/read.ts";
import { encodeScoresCopy, writeScoresByCopy } from "../src/streaming/score-cache.ts";
import { POSTGRES_STREAM_BATCH } from "../src/streaming/worker.ts";

const drains = Number(process.argv[2] ?? 3);
const TOTAL = 20_000;
const pg = await openPostgresTestDatabase("profile_worker", { migrate: true });
const name = new URL(pg.url).pathname.slice(1);
try {
  const stream = await benchStream(pg.database);
  const drain = stream.drain(
    readAhead(readAfterByCopy(pg.database)),
    stream.fullId,
    writeScoresByCopy(pg.database),
    { batchSize: POSTGRES_STREAM_BATCH },
  );
  const measure = async (label: string, run: () => Promise<unknown>, repeats = drains) => {
    await run(); // warm-up
    const rows: string[] = [];
    for (let i = 0; i < repeats; i++) {
      const backend = backendCpuSeconds(name);
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      await run();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpu);
      const node = ((used.user + used.system) / TOTAL).toFixed(1);
      const postgres = (((backendCpuSeconds(name) - backend) * 1e6) / TOTAL).toFixed(1);
      rows.push(`${seconds.toFixed(2)} s, Node ${node} + PostgreSQL ${postgres} µs/embedding`);
    }
    console.log(`${label}: ${rows.join("; ")}`);
  };
  const [row] = await queryRows<{ id: string }>(pg.database.db, sql`SELECT id::text AS id FROM streams`);
  const streamId = Number(row?.id);
  await measure("drain (server path)", drain);
  const read = readAfterByCopy(pg.database);
  await measure("reads alone (COPY, pages of 5,000)", async () => {
    for (let after = 0; after < TOTAL; after += POSTGRES_STREAM_BATCH)
      await read(streamId, after, POSTGRES_STREAM_BATCH, 512);
  });
  const k = 10;
  const write = writeScoresByCopy(pg.database);
  const scores = new Float64Array(POSTGRES_STREAM_BATCH * k).map((_, i) => i / 7);
  await measure("score writes alone (delete + COPY, pages of 5,000)", async () => {
    for (let after = 0; after < TOTAL; after += POSTGRES_STREAM_BATCH) {
      const seqs = Array.from({ length: POSTGRES_STREAM_BATCH }, (_, i) => after + i + 1);
      await write({ referenceSetId: stream.fullId, streamId, seqs, scores, k });
    }
  });
  await measure("score encoding alone", async () => {
    for (let after = 0; after < TOTAL; after += POSTGRES_STREAM_BATCH) {
      const seqs = Array.from({ length: POSTGRES_STREAM_BATCH }, (_, i) => after + i + 1);
      encodeScoresCopy({ referenceSetId: stream.fullId, streamId, seqs, scores, k });
    }
  });
} finally {
  await pg.close();
}
