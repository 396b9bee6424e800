/**
 * Batch-run time (`runBatchCheck` end to end: read the window, project, PSI/KS per component,
 * MMD confirm when flagged, kNN novelty on 500 sampled rows, store the run) over the latest
 * N = 1,000 / 10,000 / 100,000 stored 512-D embeddings in the embedded PGlite.
 *
 * Candidate: the window read with binary COPY (`db/vector-copy.ts`). Baseline: the same run with
 * the window read through `listEmbeddings`, the consumer API's text path (pages of 1,000, vectors
 * printed as text by pgvector and parsed in JS); at N = 100,000, one text query instead (see the
 * end of the suite for why). The reference is fitted once on 5,000 rows of the
 * same population; the checked windows are drawn from it shifted (latent mean +0.5 SD), so MMD
 * runs every time as it would on a drifting stream.
 */

import { syntheticModel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Comparison } from "../../bench/harness.ts";
import { runBatchCheck } from "../src/batch/run.ts";
import { type Database, queryRows } from "../src/db/database.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openPglite } from "../src/db/pglite.ts";
import { parseVectorText } from "../src/db/schema/vector-column.ts";
import { ingestEmbeddings } from "../src/services/embeddings/ingest.ts";
import { listEmbeddings } from "../src/services/embeddings/list.ts";
import type { WindowData } from "../src/services/embeddings/window.ts";
import { fitReference } from "../src/services/references/fit.ts";
import { ensureTenant } from "../src/services/tenants/default.ts";

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

/** The baseline reader: `listEmbeddings` pages over the same latest-N window. */
async function readViaList(
  database: Database,
  streamId: number,
  dimension: number,
  window: { last: number } | object,
) {
  const last = (window as { last: number }).last;
  const [first] = await queryRows<{ seq: string }>(
    database.db,
    // ORDER BY the column, not the text alias of the same name (which would sort as text).
    sql`SELECT seq::text AS seq FROM embeddings WHERE stream_id = ${streamId}
        ORDER BY embeddings.seq DESC OFFSET ${last - 1} LIMIT 1`,
  );
  let after = Number(first?.seq) - 1;
  const x = new Float32Array(last * dimension);
  const keys: number[] = [];
  while (keys.length < last) {
    const page = await listEmbeddings(database.db, streamId, after, 1000);
    for (const item of page.items) {
      x.set(item.embedding, keys.length * dimension);
      keys.push(item.seq);
    }
    if (!page.hasMore) break;
    after = page.nextAfterSeq;
  }
  if (keys.length !== last) throw new Error(`the text reader read ${keys.length} rows, not ${last}`);
  return windowOf(keys, dimension, x);
}

/** A window as the batch run takes it, from rows read by one of the baseline readers. */
function windowOf(keys: number[], dimension: number, x: Float32Array): WindowData {
  return {
    keys,
    n: keys.length,
    dimension,
    x,
    fromSeq: keys[0] ?? null,
    toSeq: keys.at(-1) ?? null,
    windowStart: null,
    windowEnd: null,
  };
}

/** The one-query text baseline: every vector printed by pgvector and parsed in JS. */
async function copyKeyedVectorsText(database: Database, streamId: number, dimension: number, last: number) {
  const rows = await queryRows<{ seq: string; embedding: string }>(
    database.db,
    sql`SELECT seq::text AS seq, embedding::text AS embedding FROM embeddings WHERE stream_id = ${streamId}
        ORDER BY embeddings.seq DESC LIMIT ${last}`,
  );
  rows.reverse();
  const x = new Float32Array(rows.length * dimension);
  rows.forEach((row, i) => {
    x.set(parseVectorText(row.embedding), i * dimension);
  });
  const keys = rows.map((r) => Number(r.seq));
  return windowOf(keys, dimension, x);
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
  const check = (last: number, text: boolean) => () =>
    runBatchCheck(database, {
      streamId,
      kind: "manual",
      window: { last },
      ...(text ? { read: readViaList as never } : {}),
      dispatch: () => {},
    });
  const comparison = (n: number, repeats: number): Comparison => ({
    id: `batch.run-${n / 1000}k`,
    title: `Batch run over the latest ${n.toLocaleString("en")} 512-D embeddings (PGlite, end to end)`,
    work: n,
    unit: "embeddings",
    repeats,
    baseline: { name: "window read via listEmbeddings (text)", run: check(n, true) },
    candidate: { name: "window read via binary COPY", run: check(n, false) },
    ...(n === TOTAL
      ? { goal: { secondsAtMost: 2, text: "a batch run over 100,000 embeddings in under 2 s" } }
      : {}),
  });
  // At 100,000 the paged baseline is quadratic (each `listEmbeddings` page sorts the rest of the
  // window: over 7 minutes a run here), so that comparison's baseline reads the window in ONE
  // text query (`embedding::text`, parsed in JS) instead.
  const oneQueryText = (db: Database, id: number, dimension: number, window: object) =>
    copyKeyedVectorsText(db, id, dimension, (window as { last: number }).last);
  const large: Comparison = {
    ...comparison(TOTAL, 1),
    baseline: {
      name: "window read in one text query (embedding::text)",
      run: () =>
        runBatchCheck(database, {
          streamId,
          kind: "manual",
          window: { last: TOTAL },
          read: oneQueryText as never,
          dispatch: () => {},
        }),
    },
  };
  return [comparison(1_000, 5), comparison(10_000, 2), large];
}
