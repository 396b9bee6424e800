/**
 * Streaming-detector throughput: 20,000 512-D embeddings processed end to end by the worker's
 * batch path (`processStreamBatch`: read after the cursor, project, the detectors, then one
 * transaction for events, alerts and the cursor with its checkpoint), from a reset cursor each
 * run, on the real PostgreSQL (a fresh database) and on the embedded PGlite. The stream shifts
 * at 15,000, so every detector fires.
 *
 * Each of the stream's 11 findings is tested again over people on a reference without quality
 * signals (`streaming/people-check.ts`), about 0.2 s of CPU each: it would swamp every other
 * difference, so the throughput comparisons run with it off (the findings stay unclassified)
 * and `server.streaming.people-checks` measures it on its own.
 *
 * Per contender the harness also records CPU time per embedding: this process's, and on
 * PostgreSQL its backends' (`/proc`), which move far less with the machine's load than wall time.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fitReferenceProfile, syntheticModel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Comparison } from "../../bench/harness.ts";
import type { Database } from "../src/db/database.ts";
import { queryRows } from "../src/db/database.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openPglite } from "../src/db/pglite.ts";
import type { ReferenceProfileJson } from "../src/db/schema/reference-set.ts";
import { openPostgresTestDatabase, postgresAvailable } from "../src/db/testing/postgres-database.ts";
import { copyOut } from "../src/db/vector-copy.ts";
import { ingestEmbeddings } from "../src/services/embeddings/ingest.ts";
import { createReferenceSet } from "../src/services/reference-sets/create.ts";
import { acquireStreamLease } from "../src/services/stream-cursors/lease.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";
import { type CursorPosition, processStreamBatch } from "../src/streaming/process-batch.ts";
import { type ReadAfter, readAfterByCopy, readAfterByText, readAhead } from "../src/streaming/read.ts";
import { loadActiveReference, type ReferenceCache } from "../src/streaming/reference.ts";
import { type ScoreWriter, writeScoresByCopy } from "../src/streaming/score-cache.ts";
import { POSTGRES_STREAM_BATCH } from "../src/streaming/worker.ts";

const DIM = 512;
const TOTAL = 20_000;
const SHIFT_AT = 15_000;

interface DrainSettings {
  /** "separate": the profile's PCA, PC1 and the window's PCA each projected on its own (before). */
  projection?: "shared" | "separate";
  /** Test findings over people as servers do (default off: see the module comment). */
  people?: boolean;
  /** Embeddings per batch (default 1,000). */
  batchSize?: number;
}

/**
 * One stream of `total` rows (TOTAL; a shift at SHIFT_AT, or at three quarters of another
 * total) with a PC1-only and a full reference, on `database`.
 */
export async function benchStream(database: Database, total = TOTAL) {
  const shiftAt = total === TOTAL ? SHIFT_AT : Math.round(total * 0.75);
  const tenantId = await ensureTenant(database.db, "bench");
  const model = syntheticModel({ dimension: DIM, modelSeed: 3 });
  const rows = new Float32Array(total * DIM);
  rows.set(model.sample(shiftAt, 2));
  rows.set(model.sample(total - shiftAt, 3, { latentShift: 1 }), shiftAt * DIM);
  for (let start = 0; start < total; start += 1000) {
    const items = Array.from({ length: 1000 }, (_, k) => {
      const v = rows.subarray((start + k) * DIM, (start + k + 1) * DIM);
      return {
        id: `e${start + k}`,
        ts: 1_790_000_000_000 + start + k,
        embedding_b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64"),
      };
    });
    await ingestEmbeddings(database, {
      tenantId,
      stream: "bench",
      model: { id: "bench", version: "1" },
      items,
    });
  }
  const [stream] = await queryRows<{ id: string }>(
    database.db,
    sql`SELECT id::text AS id FROM streams WHERE name = 'bench'`,
  );
  const streamId = Number(stream?.id);
  // The product's defaults: a 500-row MMD sample, so the MMD window costs what it costs in servers.
  const profile = fitReferenceProfile(model.sample(3000, 1), 3000, DIM, { seed: 1 });
  if (!profile.mmdWindow) throw new Error(`no MMD window: ${profile.calibration.mmdWindowSkipped}`);
  if (!profile.featureWindow)
    throw new Error(`no feature window: ${profile.calibration.featureWindowSkipped}`);
  const { residual: _, mmdWindow: __, featureWindow: ___, ...pc1Only } = profile;
  // A profile fitted before the window on PCA scores and residual: its window runs on all dimensions.
  const { featureWindow: ____, ...allDimensions } = profile;
  const referenceOf = async (json: object) =>
    (
      await createReferenceSet(database.db, {
        streamId,
        vectors: [rows.slice(0, DIM)],
        profile: json as unknown as ReferenceProfileJson,
      })
    ).id;
  const pc1OnlyId = await referenceOf(pc1Only);
  const fullId = await referenceOf(profile);
  const allDimensionsId = await referenceOf(allDimensions);
  const activate = async (id: number) => {
    // Two statements: at most one active set per stream is a unique index, checked per row.
    await database.db.execute(sql`UPDATE reference_sets SET active = false WHERE stream_id = ${streamId}`);
    await database.db.execute(sql`UPDATE reference_sets SET active = true WHERE id = ${id}`);
  };
  const ref = { id: streamId, tenantId, name: "bench" };
  // The worker keeps what it read from a profile; without it each batch would detoast the whole
  // profile JSON (the MMD sample dominates) again.

  // One reference cache per way of running: the cached reference is what a setting changes.
  const caches = new Map<string, ReferenceCache>();
  const drain =
    (read: ReadAfter, referenceSetId = fullId, writeScores?: ScoreWriter, how: DrainSettings = {}) =>
    async () => {
      await activate(referenceSetId);
      const key = `${how.projection ?? "shared"}:${how.people ?? false}`;
      const cache = caches.get(key) ?? new Map();
      caches.set(key, cache);
      // The entry the batches will take from the cache, set the way this run asks.
      const reference = await loadActiveReference(database.db, streamId, cache);
      // As before one projection served the profile's PCA and the window's (`project-batch.ts`).
      if (how.projection === "separate" && reference?.mmdWindow?.space === "pca-scores+residual")
        reference.mmdWindow.sharesProjection = false;
      if (!how.people && reference) reference.people = null;
      await database.db.execute(sql`DELETE FROM stream_cursors WHERE stream_id = ${streamId}`);
      await database.db.execute(sql`DELETE FROM alerts WHERE stream_id = ${streamId}`);
      await database.db.execute(sql`DELETE FROM drift_events WHERE stream_id = ${streamId}`);
      // Each run writes every score again, as a first pass does.
      await database.db.execute(sql`DELETE FROM embedding_scores WHERE stream_id = ${streamId}`);
      let cursor: CursorPosition | null = await acquireStreamLease(database.db, streamId, "bench", 600_000);
      let processed = 0;
      while (cursor) {
        const outcome = await processStreamBatch(database.db, ref, cursor, {
          owner: "bench",
          leaseMs: 600_000,
          batchSize: how.batchSize ?? 1000,
          read,
          ...(writeScores ? { writeScores } : {}),
          dashboardBaseUrl: "http://localhost/",
          cache,
        });
        if (outcome.status !== "processed") break;
        processed += outcome.processed;
        cursor = outcome.cursor;
      }
      // Every embedding must go through, or the figure would time something else.
      if (processed !== total) throw new Error(`processed ${processed} of ${total}`);
    };
  return { drain, fullId, pc1OnlyId, allDimensionsId };
}

/**
 * The COPY reader as it was before the vectors were parsed as they arrive: the whole stream
 * collected (`for await` over postgres.js's chunks, then one `Buffer.concat`), then read one
 * value at a time through `DataView.getFloat32`. Same bits out (`db/vector-copy.test.ts`).
 */
function readAfterByWholeCopy(database: Database): ReadAfter {
  return async (streamId, afterSeq, limit, dimension) => {
    const bytes = await copyOut(
      database,
      `SELECT seq, embedding FROM embeddings WHERE stream_id = ${streamId} AND seq > ${afterSeq}
        ORDER BY seq LIMIT ${limit}`,
    );
    if (!bytes) throw new Error("no COPY on this driver");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 19 + view.getInt32(15);
    const rowBytes = 22 + 4 * dimension;
    const n = Math.floor((bytes.length - offset - 2) / rowBytes);
    const seqs = new Array<number>(n);
    const x = new Float32Array(n * dimension);
    for (let i = 0; i < n; i++) {
      if (view.getInt16(offset) !== 2 || view.getInt16(offset + 18) !== dimension)
        throw new Error(`row ${i}`);
      seqs[i] = Number(view.getBigInt64(offset + 6));
      let at = offset + 22;
      for (let j = 0; j < dimension; j++, at += 4) x[i * dimension + j] = view.getFloat32(at);
      offset += rowBytes;
    }
    return { seqs, x, hasMore: n === limit };
  };
}

/**
 * CPU seconds the PostgreSQL backends of database `name` have used (Linux /proc; 0 elsewhere).
 * Backends title themselves `postgres: … <user> <database> <client> <state>`.
 */
export function backendCpuSeconds(name: string): number {
  let ticks = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!title.startsWith("postgres:") || !title.split(" ").includes(name)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The backend exited meanwhile.
    }
  }
  return ticks / 100; // USER_HZ
}

export default async function suite(): Promise<Comparison[]> {
  const database = await openPglite();
  await migrateDatabase(database);
  const { drain, pc1OnlyId, fullId, allDimensionsId } = await benchStream(database);
  const comparisons: Comparison[] = [];
  if (postgresAvailable) {
    const pg = await openPostgresTestDatabase("bench_streaming", { migrate: true });
    const onPostgres = await benchStream(pg.database);
    const databaseName = new URL(pg.url).pathname.slice(1);
    const [benchStreamRow] = await queryRows<{ id: string }>(
      pg.database.db,
      sql`SELECT id::text AS id FROM streams WHERE name = 'bench'`,
    );
    const readAll = (read: ReadAfter) => async () => {
      let rows = 0;
      for (let after = 0; ; ) {
        const page = await read(Number(benchStreamRow?.id), after, POSTGRES_STREAM_BATCH, DIM);
        rows += page.seqs.length;
        if (!page.hasMore) break;
        after = page.seqs.at(-1) as number;
      }
      if (rows !== TOTAL) throw new Error(`read ${rows} of ${TOTAL}`);
    };
    const externalCpuSeconds = () => backendCpuSeconds(databaseName);
    const serverPath = (how: DrainSettings = {}) =>
      onPostgres.drain(
        readAhead(readAfterByCopy(pg.database)),
        onPostgres.fullId,
        writeScoresByCopy(pg.database),
        how,
      );
    // Migration 0016 dropped the score cache's key to `streams`; a baseline "from before" runs
    // with it put back (NOT VALID: rows written are checked as before, old rows are not scanned).
    const STREAM_KEY = "embedding_scores_stream_id_streams_id_fk";
    const streamKey = async (on: boolean) =>
      pg.database.db.execute(
        sql.raw(
          on
            ? `ALTER TABLE embedding_scores ADD CONSTRAINT ${STREAM_KEY} FOREIGN KEY (stream_id) REFERENCES streams(id) ON DELETE cascade NOT VALID`
            : `ALTER TABLE embedding_scores DROP CONSTRAINT IF EXISTS ${STREAM_KEY}`,
        ),
      );
    const withStreamKey = (run: () => Promise<void>) => async () => {
      await streamKey(true);
      try {
        await run();
      } finally {
        await streamKey(false);
      }
    };
    comparisons.push(
      {
        id: "server.streaming.postgres",
        title: `Streaming worker on PostgreSQL, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings end to end with the recommended detectors (people checks apart)`,
        work: TOTAL,
        unit: "embeddings",
        repeats: 3,
        baseline: {
          name: "before issue 17: window on all dimensions, COPY read, scores as text in the commit (two keys), pages of 1,000",
          run: withStreamKey(onPostgres.drain(readAfterByCopy(pg.database), onPostgres.allDimensionsId)),
        },
        candidate: {
          name: `window on PCA scores + residual, one projection, read ahead, scores by COPY, pages of ${POSTGRES_STREAM_BATCH.toLocaleString("en")}`,
          run: serverPath({ batchSize: POSTGRES_STREAM_BATCH }),
        },
        goal: {
          unitsPerSecondAtLeast: 50_000,
          text: "≥ 50,000 512-D embeddings/s per stream on PostgreSQL, every recommended detector",
        },
        externalCpuSeconds,
      },
      {
        id: "server.streaming.postgres-score-key",
        title: `Streaming worker on PostgreSQL, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings, server path, pages of ${POSTGRES_STREAM_BATCH.toLocaleString("en")}: score cache checked against one key (migration 0016) vs two`,
        work: TOTAL,
        unit: "embeddings",
        repeats: 3,
        baseline: {
          name: "score rows checked against their reference version and their stream",
          run: withStreamKey(serverPath({ batchSize: POSTGRES_STREAM_BATCH })),
        },
        candidate: {
          name: "against their reference version only (which cascades from the stream)",
          run: serverPath({ batchSize: POSTGRES_STREAM_BATCH }),
        },
        externalCpuSeconds,
      },
      {
        id: "server.streaming.postgres-read",
        title: `Streaming worker on PostgreSQL, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings, server path, pages of ${POSTGRES_STREAM_BATCH.toLocaleString("en")}: vectors parsed as they arrive vs the whole COPY stream collected first`,
        work: TOTAL,
        unit: "embeddings",
        repeats: 3,
        baseline: {
          name: "COPY stream collected and concatenated, then read value by value (DataView)",
          run: onPostgres.drain(
            readAhead(readAfterByWholeCopy(pg.database)),
            onPostgres.fullId,
            writeScoresByCopy(pg.database),
            { batchSize: POSTGRES_STREAM_BATCH },
          ),
        },
        candidate: {
          name: "each chunk parsed as postgres.js hands it over, rows' bytes copied, one byte swap per page",
          run: serverPath({ batchSize: POSTGRES_STREAM_BATCH }),
        },
        externalCpuSeconds,
      },
      {
        id: "server.streaming.postgres-read-only",
        title: `Reading ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings from PostgreSQL in pages of ${POSTGRES_STREAM_BATCH.toLocaleString("en")} (the worker's reader alone): parsed as they arrive vs collected first`,
        work: TOTAL,
        unit: "embeddings",
        repeats: 5,
        baseline: {
          name: "COPY stream collected and concatenated, then read value by value (DataView)",
          run: readAll(readAfterByWholeCopy(pg.database)),
        },
        candidate: {
          name: "each chunk parsed as postgres.js hands it over, rows' bytes copied, one byte swap per page",
          run: readAll(readAfterByCopy(pg.database)),
        },
        externalCpuSeconds,
      },
      {
        id: "server.streaming.postgres-projection",
        title: `Streaming worker on PostgreSQL, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings, server path, pages of 1,000: one projection for the profile's and the window's PCA vs one each`,
        work: TOTAL,
        unit: "embeddings",
        repeats: 3,
        baseline: {
          name: "PC1, the profile's 10 components and the window's 128 projected separately",
          run: serverPath({ projection: "separate" }),
        },
        candidate: {
          name: "the window's 128 components once; the profile's are the first 10",
          run: serverPath(),
        },
        externalCpuSeconds,
      },
      {
        id: "server.streaming.postgres-pages",
        title: `Streaming worker on PostgreSQL, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings, server path: pages of ${POSTGRES_STREAM_BATCH.toLocaleString("en")} vs 1,000`,
        work: TOTAL,
        unit: "embeddings",
        repeats: 3,
        baseline: { name: "pages of 1,000", run: serverPath() },
        candidate: {
          name: `pages of ${POSTGRES_STREAM_BATCH.toLocaleString("en")}`,
          run: serverPath({ batchSize: POSTGRES_STREAM_BATCH }),
        },
        externalCpuSeconds,
        teardown: () => pg.close(),
      },
    );
  }
  comparisons.push(
    {
      id: "server.streaming.pglite",
      title: `Streaming worker on PGlite, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings end to end (read, detectors, commit), 1,000 per batch`,
      work: TOTAL,
      unit: "embeddings",
      repeats: 3,
      baseline: { name: "batches read as text (listEmbeddings)", run: drain(readAfterByText(database.db)) },
      candidate: { name: "batches read with binary COPY (servers)", run: drain(readAfterByCopy(database)) },
    },
    {
      id: "server.streaming.detectors",
      title: `Streaming worker, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings: recommended detectors vs PC1-ADWIN alone`,
      work: TOTAL,
      unit: "embeddings",
      repeats: 3,
      baseline: {
        name: "PC1-ADWIN only (a profile from before)",
        run: drain(readAfterByCopy(database), pc1OnlyId),
      },
      candidate: {
        name: "PC1 + residual ADWIN + MMD window on PCA scores + residual",
        run: drain(readAfterByCopy(database), fullId),
      },
    },
    {
      id: "server.streaming.pglite-server-path",
      title: `Streaming worker on PGlite, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings end to end with the recommended detectors, 1,000 per batch`,
      work: TOTAL,
      unit: "embeddings",
      repeats: 3,
      baseline: {
        name: "before issue 17: window on all dimensions, scores as text in the commit",
        run: drain(readAfterByCopy(database), allDimensionsId),
      },
      candidate: {
        name: "window on PCA scores + residual, one projection, scores by COPY before the commit (servers)",
        run: drain(readAfterByCopy(database), fullId, writeScoresByCopy(database)),
      },
    },
    {
      id: "server.streaming.people-checks",
      title: `Streaming worker on PGlite, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings with 11 findings (reference without quality signals): each finding tested over people vs left unclassified`,
      work: TOTAL,
      unit: "embeddings",
      repeats: 1,
      baseline: {
        name: "findings tested over people (what servers run)",
        run: drain(readAfterByCopy(database), fullId, writeScoresByCopy(database), { people: true }),
      },
      candidate: {
        name: "findings left unclassified",
        run: drain(readAfterByCopy(database), fullId, writeScoresByCopy(database)),
      },
    },
  );
  return comparisons;
}
