/**
 * Test support (not a test): seeded synthetic streams with a known shift, and their reference
 * sets, written through the same services production uses.
 */
import { fitReferenceProfile, Pc1Stream, type ReferenceProfile, syntheticModel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import type { ReferenceProfileJson } from "../../db/schema/reference-set.ts";
import { ingestEmbeddings } from "../../services/embeddings/ingest.ts";
import { createReferenceSet } from "../../services/reference-sets/create.ts";
import { ensureTenant } from "../../services/tenants/default.ts";

export const DIMENSION = 64;
/** In-distribution rows before the shift; the shift (latent mean +1 sd) starts at this ordinal. */
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
  x.set(model.sample(AFTER_SHIFT, 3, { latentShift: 1 }), SHIFT_AT * DIMENSION);
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
  meanBefore: number;
  meanAfter: number;
  details: Record<string, unknown>;
}

export async function driftEventsOf(database: Database, streamId: number): Promise<EventRow[]> {
  const rows = await queryRows<{ seq: string; mean_before: number; mean_after: number; details: string }>(
    database.db,
    sql`SELECT seq::text AS seq, mean_before::float8 AS mean_before, mean_after::float8 AS mean_after,
          details::text AS details
        FROM drift_events WHERE stream_id = ${streamId} ORDER BY seq, id`,
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    meanBefore: Number(r.mean_before),
    meanAfter: Number(r.mean_after),
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}

/** What one uninterrupted pure `Pc1Stream` pass over the fixture rows detects, by seq. */
export function expectedRun(seqs: readonly number[]): { events: EventRow[]; state: unknown } {
  const p = referenceProfile();
  const detector = new Pc1Stream({ mean: p.pca.mean, pc1: p.pca.components.slice(0, DIMENSION) }, p.adwin);
  const rows = streamRows();
  const { detections } = detector.process(rows, rows.length / DIMENSION);
  return {
    events: detections.map((d) => ({
      seq: seqs[d.index] as number,
      meanBefore: d.meanBefore,
      meanAfter: d.meanAfter,
      details: { score: d.score, widthBefore: d.widthBefore, widthAfter: d.widthAfter },
    })),
    state: detector.state(),
  };
}
