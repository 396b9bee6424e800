/**
 * @module
 * `facedrift archive restore`: brings one archived stream-day back into the database, e.g. to
 * backfill batch runs over it (`facedrift backfill`). Rows return exactly as they were: the same
 * seq, receive and event times (microseconds), client id, source, device and metadata. Their seqs
 * sit behind the streaming worker's cursor, so the live detectors do not see old rows as new.
 * A file from before seqs counted per stream holds server-wide seqs: its rows come back with the
 * per-stream seqs the migration reserved for them (`seqOffset` + position in the file).
 *
 * A row whose client id is in the idempotency ledger again (restored before, or re-sent after the
 * archive forgot it) is skipped and counted. The record's `restored_until` holds the day back
 * from retention until then; afterwards the archiver finds the same row count and deletes the
 * rows again without writing a new file. Restoring puts personal data back, so it is audited.
 */
import { sql } from "drizzle-orm";
import type { Database, Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { ensureEmbeddingPartitions } from "../db/partitions.ts";
import { pgArrayLiteral } from "../db/pg-array.ts";
import { formatVectorText } from "../db/schema/vector-column.ts";
import { FacedriftError } from "../errors.ts";
import { recordAudit } from "../services/audit/record.ts";
import { listArchiveRecords, openRecord } from "./archive-object.ts";
import type { ArchiveStore } from "./archive-store.ts";
import type { KekLookup } from "./envelope.ts";
import type { ArchiveRow } from "./parquet.ts";

export interface RestoreInput {
  tenantId: number;
  stream: string;
  day: string;
  /** How long retention leaves the restored rows in place (default 24 h). */
  holdHours?: number;
  actor: string;
  now?: Date;
  /** Rows per INSERT. */
  chunkRows?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RestoreResult {
  stream: string;
  day: string;
  restored: number;
  /** Rows whose client id was already in the ledger. */
  skipped: number;
  restoredUntil: string;
}

export async function restoreDay(
  database: Database,
  store: ArchiveStore,
  keys: KekLookup | null,
  input: RestoreInput,
): Promise<RestoreResult> {
  const [record] = await listArchiveRecords(database.db, {
    tenantId: input.tenantId,
    stream: input.stream,
    from: input.day,
    to: input.day,
  });
  if (!record) {
    throw new FacedriftError("not_found", `stream "${input.stream}" has no archive for ${input.day}`, {
      field: "day",
    });
  }
  const { rows } = await openRecord(store, keys, record);
  const now = input.now ?? new Date();
  const restoredUntil = new Date(now.getTime() + (input.holdHours ?? 24) * 3_600_000).toISOString();
  // The day's partition was dropped once it emptied; rows would land in the default one otherwise.
  await ensureEmbeddingPartitions(database.db, new Date(`${input.day}T00:00:00Z`), 0);
  const chunk = input.chunkRows ?? 1_000;
  return database.db.transaction(async (tx) => {
    // Same lock as ingestion and erasure: an erasure cannot run between reading and inserting.
    await tx.execute(sql`SELECT 1 FROM streams WHERE id = ${record.streamId} FOR NO KEY UPDATE`);
    let restored = 0;
    for (let start = 0; start < rows.length; start += chunk) {
      restored += await insertRows(
        tx,
        record.streamId,
        rows.slice(start, start + chunk),
        record.seqOffset === null ? null : record.seqOffset + start,
        record.dimension,
      );
      input.onProgress?.(Math.min(start + chunk, rows.length), rows.length);
    }
    await tx.execute(
      sql`UPDATE streams SET embedding_count = embedding_count + ${restored} WHERE id = ${record.streamId}`,
    );
    await tx.execute(
      sql`UPDATE embedding_archives SET restored_until = ${restoredUntil}::timestamptz, updated_at = now()
          WHERE id = ${record.id}`,
    );
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "archive.restore",
      target: `stream:${input.stream}`,
      details: { day: input.day, restored, skipped: rows.length - restored, restoredUntil },
    });
    return { stream: input.stream, day: input.day, restored, skipped: rows.length - restored, restoredUntil };
  });
}

/**
 * Claims the rows' ids in the ledger and inserts the rows whose id was free; returns how many.
 * `seqBefore` (a file of server-wide seqs): row i of `rows` (from 1) gets seq `seqBefore + i`.
 */
async function insertRows(
  tx: Executor,
  streamId: number,
  rows: readonly ArchiveRow[],
  seqBefore: number | null,
  dimension: number,
): Promise<number> {
  if (rows.length === 0) return 0;
  const seqs = rows.map((r, i) => (seqBefore === null ? r.seq : BigInt(seqBefore + i + 1)).toString());
  const [inserted] = await queryRows<{ n: number }>(
    tx,
    sql`WITH input AS (
          SELECT * FROM unnest(${pgArrayLiteral(seqs)}::bigint[],
                               ${pgArrayLiteral(rows.map((r) => r.clientId))}::text[],
                               ${pgArrayLiteral(rows.map((r) => microsToIso(r.eventTimeUs)))}::timestamptz[],
                               ${pgArrayLiteral(rows.map((r) => microsToIso(r.receivedAtUs)))}::timestamptz[],
                               ${pgArrayLiteral(rows.map((r) => r.modelId))}::text[],
                               ${pgArrayLiteral(rows.map((r) => r.modelVersion))}::text[],
                               ${pgArrayLiteral(rows.map((r) => formatVectorText(r.embedding)))}::text[],
                               ${pgArrayLiteral(rows.map((r) => r.source))}::text[],
                               ${pgArrayLiteral(rows.map((r) => r.device))}::text[],
                               ${pgArrayLiteral(rows.map((r) => r.metadata))}::text[])
            AS t(seq, client_id, event_time, received_at, model_id, model_version, vec, source, device, metadata)),
        claimed AS (
          INSERT INTO embedding_ids (stream_id, client_id, received_at)
          SELECT ${streamId}, client_id, received_at FROM input
          ON CONFLICT DO NOTHING RETURNING client_id),
        stored AS (
          INSERT INTO embeddings (seq, stream_id, client_id, event_time, received_at, model_id, model_version,
                                  dimension, embedding, source, device, metadata)
          SELECT i.seq, ${streamId}, i.client_id, i.event_time, i.received_at, i.model_id, i.model_version,
                 ${dimension}, i.vec::vector, i.source, i.device, i.metadata::jsonb
          FROM input i JOIN claimed c ON c.client_id = i.client_id
          ORDER BY i.seq RETURNING 1)
        SELECT count(*)::int AS n FROM stored`,
  );
  return inserted?.n ?? 0;
}

/** `2026-10-01T08:00:00.123456Z` from microseconds since the epoch, without losing any. */
export function microsToIso(micros: bigint): string {
  const millis = micros / 1000n;
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  const floorMillis = micros < 0n && rest !== 0n ? millis - 1n : millis;
  const iso = new Date(Number(floorMillis)).toISOString();
  return `${iso.slice(0, 23)}${rest.toString().padStart(3, "0")}Z`;
}
