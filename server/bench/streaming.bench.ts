/**
 * Streaming-detector throughput on the embedded PGlite: 20,000 512-D embeddings processed end to
 * end by the worker's batch path (`processStreamBatch`: read after the cursor, parse, project on
 * PC1, ADWIN, then one transaction for events, alerts and the cursor with its checkpoint), 1,000
 * per batch (the worker's default). The candidate reads each batch with binary COPY (what servers
 * run, `streaming/read.ts`), the baseline through the consumer API's text page, so the ratio is
 * what not printing and parsing vectors as text buys. Each run starts from a reset cursor.
 *
 * The second comparison is the cost of the detectors docs/detection-quality.md recommends: the
 * same COPY path with a profile that carries only PC1's ADWIN (a profile fitted before the
 * residual ADWIN and the MMD window; the worker then runs PC1 alone) against the full profile —
 * PC1 and residual ADWIN plus MMD² of every 500 embeddings against a 500-row MMD sample.
 */
import { fitReferenceProfile, syntheticModel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Comparison } from "../../bench/harness.ts";
import type { Database } from "../src/db/database.ts";
import { queryRows } from "../src/db/database.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openPglite } from "../src/db/pglite.ts";
import type { ReferenceProfileJson } from "../src/db/schema/reference-set.ts";
import { openPostgresTestDatabase, postgresAvailable } from "../src/db/testing/postgres-database.ts";
import { ingestEmbeddings } from "../src/services/embeddings/ingest.ts";
import { createReferenceSet } from "../src/services/reference-sets/create.ts";
import { acquireStreamLease } from "../src/services/stream-cursors/lease.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";
import { type CursorPosition, processStreamBatch } from "../src/streaming/process-batch.ts";
import { type ReadAfter, readAfterByCopy, readAfterByText, readAhead } from "../src/streaming/read.ts";
import type { ReferenceCache } from "../src/streaming/reference.ts";
import { type ScoreWriter, writeScoresByCopy } from "../src/streaming/score-cache.ts";

const DIM = 512;
const TOTAL = 20_000;
const SHIFT_AT = 15_000;

/** One stream of TOTAL rows (a shift at SHIFT_AT) with a PC1-only and a full reference, on `database`. */
async function benchStream(database: Database) {
  const tenantId = await ensureTenant(database.db, "bench");
  const model = syntheticModel({ dimension: DIM, modelSeed: 3 });
  const rows = new Float32Array(TOTAL * DIM);
  rows.set(model.sample(SHIFT_AT, 2));
  rows.set(model.sample(TOTAL - SHIFT_AT, 3, { latentShift: 1 }), SHIFT_AT * DIM);
  for (let start = 0; start < TOTAL; start += 1000) {
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
  const cache: ReferenceCache = new Map();

  const drain =
    (read: ReadAfter, referenceSetId = fullId, writeScores?: ScoreWriter) =>
    async () => {
      await activate(referenceSetId);
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
          batchSize: 1000,
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
      if (processed !== TOTAL) throw new Error(`processed ${processed} of ${TOTAL}`);
    };
  return { drain, fullId, pc1OnlyId, allDimensionsId };
}

export default async function suite(): Promise<Comparison[]> {
  const database = await openPglite();
  await migrateDatabase(database);
  const { drain, pc1OnlyId, fullId, allDimensionsId } = await benchStream(database);
  const comparisons: Comparison[] = [];
  if (postgresAvailable) {
    const pg = await openPostgresTestDatabase("bench_streaming", { migrate: true });
    const onPostgres = await benchStream(pg.database);
    comparisons.push({
      id: "server.streaming.postgres",
      title: `Streaming worker on PostgreSQL, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings end to end with the recommended detectors, 1,000 per batch`,
      work: TOTAL,
      unit: "embeddings",
      repeats: 3,
      baseline: {
        name: "before issue 17: window on all dimensions, COPY read, scores as text in the commit",
        run: onPostgres.drain(readAfterByCopy(pg.database), onPostgres.allDimensionsId),
      },
      candidate: {
        name: "window on PCA scores + residual, read ahead, scores by COPY",
        run: onPostgres.drain(
          readAhead(readAfterByCopy(pg.database)),
          onPostgres.fullId,
          writeScoresByCopy(pg.database),
        ),
      },
      goal: {
        unitsPerSecondAtLeast: 50_000,
        text: "≥ 50,000 512-D embeddings/s per stream on PostgreSQL, every recommended detector",
      },
    });
    comparisons.push({
      id: "server.streaming.postgres-window",
      title: `Streaming worker on PostgreSQL, ${TOTAL.toLocaleString("en")} ${DIM}-D embeddings, server path: the MMD window on PCA scores + residual vs on all dimensions`,
      work: TOTAL,
      unit: "embeddings",
      repeats: 3,
      baseline: {
        name: "window on all dimensions (a profile from before)",
        run: onPostgres.drain(
          readAhead(readAfterByCopy(pg.database)),
          onPostgres.allDimensionsId,
          writeScoresByCopy(pg.database),
        ),
      },
      candidate: {
        name: "window on PCA scores + residual (256 features)",
        run: onPostgres.drain(
          readAhead(readAfterByCopy(pg.database)),
          onPostgres.fullId,
          writeScoresByCopy(pg.database),
        ),
      },
      teardown: () => pg.close(),
    });
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
        name: "window on PCA scores + residual, scores by COPY before the commit (servers)",
        run: drain(readAfterByCopy(database), fullId, writeScoresByCopy(database)),
      },
    },
  );
  return comparisons;
}
