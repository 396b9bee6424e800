/**
 * Draining a backlog from a reset cursor on the real PostgreSQL, with the page read as before
 * (the plan left to the partitions' statistics) and under `PAGE_READ_SETTINGS` (sorting off),
 * on day partitions without statistics (autovacuum off for them, so none appear mid-run) and
 * again after ANALYZE. Two drains: the reader alone (binary COPY, pages of 5,000) and the
 * worker's server path (`benchStream`'s drain: read ahead, detectors, scores by COPY, commit).
 * Wall time, this process's CPU and the database's backends' CPU (`/proc`), runs interleaved.
 *
 * Usage: npx tsx server/scripts/read-plan-drain-pg.ts [rows=100000] [repeats=3] [reader|all=all]
 */
import { loadavg } from "node:os";
import { sql } from "drizzle-orm";
import { backendCpuSeconds, benchStream } from "../bench/streaming.bench.ts";
import type { Database } from "../src/db/database.ts";
import { queryRows } from "../src/db/database.ts";
import { ensureEmbeddingPartitions } from "../src/db/partitions.ts";
import { openPostgresTestDatabase } from "../src/db/testing/postgres-database.ts";
import { copyKeyedVectors } from "../src/db/vector-copy.ts";
import { pageSelect, type ReadAfter, readAfterByCopy, readAhead } from "../src/streaming/read.ts";
import { writeScoresByCopy } from "../src/streaming/score-cache.ts";
import { POSTGRES_STREAM_BATCH } from "../src/streaming/worker.ts";

const TOTAL = Number(process.argv[2] ?? 100_000);
const REPEATS = Number(process.argv[3] ?? 3);
const READER_ONLY = process.argv[4] === "reader";
const DIM = 512;

/** The reader before: the same COPY, planned on whatever statistics the partitions have. */
function readAfterByCopyBefore(database: Database): ReadAfter {
  return async (streamId, afterSeq, limit, dimension) => {
    const { keys, x, n } = await copyKeyedVectors(
      database,
      pageSelect(streamId, afterSeq, limit),
      dimension,
      "as-is",
      limit,
    );
    return { seqs: keys, x, hasMore: n === limit };
  };
}

const pg = await openPostgresTestDatabase("read_plan_drain", { migrate: true });
const name = new URL(pg.url).pathname.slice(1);
try {
  await ensureEmbeddingPartitions(pg.database.db, new Date());
  const children = await queryRows<{ name: string }>(
    pg.database.db,
    sql`SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'embeddings'`,
  );
  for (const child of children)
    await pg.database.db.execute(sql.raw(`ALTER TABLE "${child.name}" SET (autovacuum_enabled = false)`));
  const stream = await benchStream(pg.database, TOTAL);
  const [row] = await queryRows<{ id: string }>(pg.database.db, sql`SELECT id::text AS id FROM streams`);
  const streamId = Number(row?.id);
  const readAll = (read: ReadAfter) => async () => {
    let rows = 0;
    for (let after = 0; ; ) {
      const page = await read(streamId, after, POSTGRES_STREAM_BATCH, DIM);
      rows += page.seqs.length;
      if (!page.hasMore) break;
      after = page.seqs.at(-1) as number;
    }
    if (rows !== TOTAL) throw new Error(`read ${rows} of ${TOTAL}`);
  };
  const worker = (read: ReadAfter) =>
    stream.drain(readAhead(read), stream.fullId, writeScoresByCopy(pg.database), {
      batchSize: POSTGRES_STREAM_BATCH,
    });
  const measure = async (run: () => Promise<void>) => {
    const backend = backendCpuSeconds(name);
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    return { seconds, node: (used.user + used.system) / 1e6, postgres: backendCpuSeconds(name) - backend };
  };
  const compare = async (label: string, before: () => Promise<void>, after: () => Promise<void>) => {
    await before(); // warm-up of both, so neither pays the first pass over the rows alone
    await after();
    const runs: Record<"before" | "after", Awaited<ReturnType<typeof measure>>[]> = { before: [], after: [] };
    for (let i = 0; i < REPEATS; i++) {
      runs.before.push(await measure(before));
      runs.after.push(await measure(after));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const line = (k: "before" | "after") => {
      const r = runs[k];
      const us = (s: number) => ((s * 1e6) / TOTAL).toFixed(1);
      return `${k} ${median(r.map((x) => x.seconds)).toFixed(2)} s (${r.map((x) => x.seconds.toFixed(2)).join(", ")}), Node ${us(median(r.map((x) => x.node)))} + PostgreSQL ${us(median(r.map((x) => x.postgres)))} µs/embedding`;
    };
    const ratio = median(runs.before.map((x) => x.seconds)) / median(runs.after.map((x) => x.seconds));
    const pgRatio = median(runs.before.map((x) => x.postgres)) / median(runs.after.map((x) => x.postgres));
    console.log(
      `${label}: ${line("before")}; ${line("after")}; wall ${ratio.toFixed(2)}x, PostgreSQL CPU ${pgRatio.toFixed(2)}x; load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
  };
  const stats = async () =>
    (
      await queryRows<{ t: number }>(
        pg.database.db,
        sql`SELECT c.reltuples::float8 AS t FROM pg_class c
            WHERE c.oid = (SELECT tableoid FROM embeddings WHERE stream_id = ${streamId} LIMIT 1)`,
      )
    )[0]?.t;
  console.log(`${TOTAL} rows; partition reltuples ${await stats()} (-1: never analyzed)`);
  await compare(
    "reader alone, no statistics",
    readAll(readAfterByCopyBefore(pg.database)),
    readAll(readAfterByCopy(pg.database)),
  );
  if (!READER_ONLY)
    await compare(
      "worker drain, no statistics",
      worker(readAfterByCopyBefore(pg.database)),
      worker(readAfterByCopy(pg.database)),
    );
  await pg.database.db.execute(sql`ANALYZE embeddings`);
  console.log(`after ANALYZE: partition reltuples ${await stats()}`);
  await compare(
    "reader alone, analyzed",
    readAll(readAfterByCopyBefore(pg.database)),
    readAll(readAfterByCopy(pg.database)),
  );
  if (!READER_ONLY)
    await compare(
      "worker drain, analyzed",
      worker(readAfterByCopyBefore(pg.database)),
      worker(readAfterByCopy(pg.database)),
    );
} finally {
  await pg.close();
}
