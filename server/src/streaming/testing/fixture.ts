/**
 * Test support (not a test): seeded synthetic streams with a known shift, and their reference
 * sets, written through the same services production uses.
 */
import { fitReferenceProfile, type ReferenceProfile, syntheticModel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import type { ReferenceProfileJson } from "../../db/schema/reference-set.ts";
import { ingestEmbeddings } from "../../services/embeddings/ingest.ts";
import { createReferenceSet } from "../../services/reference-sets/create.ts";
import { ensureTenant } from "../../services/tenants/default.ts";
import { detectionKey, streamingReferenceOf, uninterruptedRun } from "./uninterrupted.ts";

export const DIMENSION = 64;
/**
 * In-distribution rows before the shift; the shift starts at this ordinal: latent mean +1 sd
 * (moves PC1) and four times the isotropic noise (leaves the principal subspace: moves the residual).
 */
export const SHIFT_AT = 3000;
export const AFTER_SHIFT = 1000;

const model = syntheticModel({ dimension: DIMENSION, modelSeed: 7 });

/** The reference profile every fixture stream uses (fitted once per process). */
let profile: ReferenceProfile | undefined;
export function referenceProfile(): ReferenceProfile {
  profile ??= fitReferenceProfile(model.sample(2000, 1), 2000, DIMENSION, { seed: 1, mmdSampleSize: 100 });
  return profile;
}

/** The stream's rows: SHIFT_AT in-distribution, then AFTER_SHIFT shifted (same for every call). */
export function streamRows(): Float32Array {
  const x = new Float32Array((SHIFT_AT + AFTER_SHIFT) * DIMENSION);
  x.set(model.sample(SHIFT_AT, 2));
  x.set(model.sample(AFTER_SHIFT, 3, { latentShift: 1, noiseScale: 4 }), SHIFT_AT * DIMENSION);
  return x;
}

export async function ingestRows(
  database: Database,
  tenantId: number,
  stream: string,
  x: Float32Array,
  from = 0,
  to = x.length / DIMENSION,
): Promise<void> {
  for (let start = from; start < to; start += 1000) {
    const end = Math.min(to, start + 1000);
    const items = Array.from({ length: end - start }, (_, k) => {
      const i = start + k;
      const v = x.subarray(i * DIMENSION, (i + 1) * DIMENSION);
      return {
        id: `e${i}`,
        ts: 1_790_000_000_000 + i * 1000,
        embedding_b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64"),
      };
    });
    await ingestEmbeddings(database, { tenantId, stream, model: { id: "synthetic", version: "1" }, items });
  }
}

/**
 * Creates `stream` with the fixture rows and (unless `reference` is false) an active reference
 * set carrying the fixture profile; `rows` keeps only the first rows. Returns its ids and the seq of each row, by ordinal.
 */
export async function seedStream(
  database: Database,
  stream: string,
  options: { reference?: boolean | ReferenceProfileJson; tenant?: string; rows?: number } = {},
): Promise<{ streamId: number; tenantId: number; seqs: number[] }> {
  const tenantId = await ensureTenant(database.db, options.tenant ?? "streaming-test");
  await ingestRows(database, tenantId, stream, streamRows(), 0, options.rows);
  const seqs = await streamSeqs(database, tenantId, stream);
  const streamId = seqs.streamId;
  if (options.reference !== false) {
    await addReference(
      database,
      streamId,
      options.reference === true || options.reference === undefined ? undefined : options.reference,
    );
  }
  return { streamId, tenantId, seqs: seqs.seqs };
}

export async function addReference(
  database: Database,
  streamId: number,
  json: ReferenceProfileJson = referenceProfile() as unknown as ReferenceProfileJson,
): Promise<number> {
  // A few vectors suffice: the streaming detector reads only the profile.
  const vectors = Array.from({ length: 20 }, (_, i) => model.sample(1, 100 + i).subarray(0, DIMENSION));
  return (await createReferenceSet(database.db, { streamId, vectors, profile: json })).id;
}

async function streamSeqs(database: Database, tenantId: number, stream: string) {
  const rows = await queryRows<{ id: string; seq: string }>(
    database.db,
    sql`SELECT s.id::text AS id, e.seq::text AS seq FROM streams s JOIN embeddings e ON e.stream_id = s.id
        WHERE s.tenant_id = ${tenantId} AND s.name = ${stream} ORDER BY e.seq`,
  );
  return { streamId: Number(rows[0]?.id), seqs: rows.map((r) => Number(r.seq)) };
}

export interface EventRow {
  seq: number;
  signal: string;
  /** Null for the MMD window, which has no before/after means. */
  meanBefore: number | null;
  meanAfter: number | null;
  details: Record<string, unknown>;
}

export async function driftEventsOf(database: Database, streamId: number): Promise<EventRow[]> {
  const rows = await queryRows<{
    seq: string;
    signal: string;
    mean_before: number | null;
    mean_after: number | null;
    details: string;
  }>(
    database.db,
    sql`SELECT seq::text AS seq, signal, mean_before::float8 AS mean_before, mean_after::float8 AS mean_after,
          details::text AS details
        FROM drift_events WHERE stream_id = ${streamId} ORDER BY drift_events.seq, id`,
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    signal: r.signal,
    meanBefore: r.mean_before === null ? null : Number(r.mean_before),
    meanAfter: r.mean_after === null ? null : Number(r.mean_after),
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}

/** What one uninterrupted pass of the detectors over the fixture rows detects (by seq) and leaves. */
export async function expectedRun(seqs: readonly number[]) {
  const rows = streamRows();
  const run = await uninterruptedRun(streamingReferenceOf(referenceProfile()), [...seqs], rows);
  return { events: run.detections.map(detectionKey), state: run.state };
}
