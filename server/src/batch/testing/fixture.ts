import { syntheticModel } from "@facedrift/stats";
import type { Database } from "../../db/database.ts";
import { openMigratedTestDatabase } from "../../db/testing/postgres-database.ts";
import { ingestEmbeddings } from "../../services/embeddings/ingest.ts";
import { fitReference } from "../../services/references/fit.ts";
import { getStream } from "../../services/streams/get.ts";
import { ensureTenant } from "../../services/tenants/default.ts";

/** Test support: days of synthetic 64-D embeddings, received at fixed times, in a fresh database. */
export const DAY_MS = 86_400_000;
export const DAY0 = Date.parse("2026-11-01T00:00:00Z");
export const MODEL = { id: "synthetic", version: "1" };
export const DIM = 64;

export const synthetic = syntheticModel({ dimension: DIM, modelSeed: 7 });

export function itemsOf(x: Float32Array, prefix: string) {
  const n = x.length / DIM;
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    ts: DAY0 + i,
    embedding_b64: Buffer.from(x.buffer, x.byteOffset + i * DIM * 4, DIM * 4).toString("base64"),
  }));
}

/** Stores `x` in `stream`, received at `receivedAt` (in batches of 1,000). */
export async function ingestAt(
  database: Database,
  tenantId: number,
  stream: string,
  x: Float32Array,
  receivedAt: number,
  prefix: string,
  model = MODEL,
): Promise<void> {
  const items = itemsOf(x, prefix);
  for (let start = 0; start < items.length; start += 1000) {
    await ingestEmbeddings(
      database,
      { tenantId, stream, model, items: items.slice(start, start + 1000) },
      new Date(receivedAt + start),
    );
  }
}

/**
 * Day 0: 2,000 reference-like embeddings; day 1: 1,000 more from the same population; day 2:
 * 1,000 shifted ones (latent mean +1 SD, and noise ×12, which moves points off the
 * population's manifold, so that their nearest reference neighbours are farther: kNN novelty).
 */
export async function driftFixture(stream = "cam", driver: "pglite" | "postgres" = "pglite") {
  const opened = await openMigratedTestDatabase(driver, "batch");
  const database = { ...opened.database, close: opened.close };
  const tenantId = await ensureTenant(database.db, "acme");
  await ingestAt(database, tenantId, stream, synthetic.sample(2000, 1), DAY0, "d0");
  await ingestAt(database, tenantId, stream, synthetic.sample(1000, 2), DAY0 + DAY_MS, "d1");
  await ingestAt(
    database,
    tenantId,
    stream,
    synthetic.sample(1000, 3, { latentShift: 1, noiseScale: 12 }),
    DAY0 + 2 * DAY_MS,
    "d2",
  );
  const day = (i: number) => ({ from: new Date(DAY0 + i * DAY_MS), to: new Date(DAY0 + (i + 1) * DAY_MS) });
  return { database, tenantId, day };
}

/** `driftFixture` with the reference fitted on day 0, and the stream's id: where batch tests start. */
export async function fittedDriftFixture(stream = "cam") {
  const fixture = await driftFixture(stream);
  const streamId = (await getStream(fixture.database.db, fixture.tenantId, stream)).id;
  await fitReference(fixture.database, { tenantId: fixture.tenantId, stream, source: fixture.day(0) });
  return { ...fixture, streamId };
}
