/**
 * Batch-run time (`runBatchCheck` end to end: read the window, PSI/KS per component, MMD confirm
 * when flagged, kNN novelty on 500 sampled rows, store the run) over the latest N = 1,000 /
 * 10,000 / 100,000 stored 512-D embeddings in the embedded PGlite.
 *
 * Candidate: what servers run — the window's component scores cached by the streaming worker
 * (`embedding_scores`, one COPY of seq + 10 float8 per row) and the vectors of the last 500 rows
 * for MMD (`services/embeddings/scored-window.ts`). Baseline: the same run reading every vector
 * of the window with binary COPY and projecting it (`readWindow`, what runs did before the cache).
 * Both give identical numbers (`server/src/batch/run.test.ts`). The streaming worker processes
 * the whole stream once before timing, as it would in a server. The reference is fitted on 5,000
 * rows of the same population; the checked windows are shifted (latent mean +0.5 SD), so MMD
 * runs every time as it would on a drifting stream.
 */

import { syntheticModel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Comparison } from "../../bench/harness.ts";
import { runBatchCheck } from "../src/batch/run.ts";
import { type Database, queryRows } from "../src/db/database.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openPglite } from "../src/db/pglite.ts";
import { ingestEmbeddings } from "../src/services/embeddings/ingest.ts";
import { readWindow } from "../src/services/embeddings/window.ts";
import { fitReference } from "../src/services/references/fit.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";
import { readAfterByCopy } from "../src/streaming/read.ts";
import { StreamingWorker } from "../src/streaming/worker.ts";

const DIM = 512;
const TOTAL = 100_000;
const MODEL = { id: "bench", version: "1" };

async function ingest(database: Database, tenantId: number, x: Float32Array, prefix: string): Promise<void> {
  const n = x.length / DIM;
  for (let start = 0; start < n; start += 1000) {
    const items = Array.from({ length: Math.min(1000, n - start) }, (_, i) => ({
      id: `${prefix}-${start + i}`,
      ts: 1_790_000_000_000 + start + i,
      embedding_b64: Buffer.from(x.buffer, (start + i) * DIM * 4, DIM * 4).toString("base64"),
    }));
    await ingestEmbeddings(database, { tenantId, stream: "bench", model: MODEL, items });
  }
}

export default async function suite(): Promise<Comparison[]> {
  const database = await openPglite();
  await migrateDatabase(database);
  const tenantId = await ensureTenant(database.db, "bench");
  const model = syntheticModel({ dimension: DIM, modelSeed: 11 });
  await ingest(database, tenantId, model.sample(5_000, 1), "ref");
  await fitReference(database, { tenantId, stream: "bench", source: { last: 5_000 }, options: { seed: 1 } });
  for (let b = 0; b < TOTAL / 10_000; b++) {
    await ingest(database, tenantId, model.sample(10_000, 100 + b, { latentShift: 0.5 }), `w${b}`);
  }
  const [stream] = await queryRows<{ id: number }>(
    database.db,
    sql`SELECT id::int AS id FROM streams WHERE name = 'bench'`,
  );
  const streamId = Number(stream?.id);
  process.stderr.write("  streaming worker scoring the stream (as a server would)…\n");
  const worker = new StreamingWorker({
    db: database.db,
    read: readAfterByCopy(database),
    pollIntervalMs: 20,
    alertStore: false,
  });
  worker.start();
  await worker.caughtUp();
  await worker.stop();

  const check = (last: number, everyVector: boolean) => async () => {
    const run = await runBatchCheck(database, {
      streamId,
      kind: "manual",
      window: { last },
      ...(everyVector ? { read: readWindow } : {}),
      dispatch: () => {},
    });
    // The candidate must really take its scores from the cache, or the figure times something else.
    const cached = (run.results as { cachedScores: number }).cachedScores;
    if (!everyVector && cached !== last) throw new Error(`only ${cached} of ${last} scores were cached`);
  };
  const comparison = (n: number, repeats: number): Comparison => ({
    id: `batch.run-${n / 1000}k`,
    title: `Batch run over the latest ${n.toLocaleString("en")} 512-D embeddings (PGlite, end to end)`,
    work: n,
    unit: "embeddings",
    repeats,
    baseline: { name: "every vector read (binary COPY) and projected", run: check(n, true) },
    candidate: { name: "cached component scores + last 500 vectors", run: check(n, false) },
    ...(n === TOTAL
      ? { goal: { secondsAtMost: 2, text: "a batch run over 100,000 embeddings in under 2 s" } }
      : {}),
  });
  return [comparison(1_000, 5), comparison(10_000, 3), comparison(TOTAL, 3)];
}
