import { sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";

export interface StreamCursor {
  streamId: number;
  lastSeq: number;
  adwinState: Record<string, unknown> | null;
  referenceSetId: number | null;
  /** The last extraction report processed and the faces-lost detector's state (`streaming/extraction.ts`). */
  extractionSeq: number;
  extractionState: Record<string, unknown> | null;
  owner: string;
  leaseUntil: string;
}

interface Row {
  stream_id: string;
  last_seq: string;
  adwin_state: string | null;
  reference_set_id: string | null;
  extraction_seq: string;
  extraction_state: string | null;
  owner: string;
  lease_until: string;
}

const toCursor = (r: Row): StreamCursor => ({
  streamId: Number(r.stream_id),
  lastSeq: Number(r.last_seq),
  adwinState: r.adwin_state === null ? null : (JSON.parse(r.adwin_state) as Record<string, unknown>),
  referenceSetId: r.reference_set_id === null ? null : Number(r.reference_set_id),
  extractionSeq: Number(r.extraction_seq),
  extractionState:
    r.extraction_state === null ? null : (JSON.parse(r.extraction_state) as Record<string, unknown>),
  owner: r.owner,
  leaseUntil: r.lease_until,
});

const RETURNING = sql`RETURNING stream_id::text, last_seq::text, adwin_state::text, reference_set_id::text,
  extraction_seq::text, extraction_state::text, owner,
  to_char(lease_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS lease_until`;

/**
 * Takes (or renews) the lease on a stream's cursor for `owner`, creating the cursor at seq 0 on
 * first use. Succeeds when the cursor is free, already ours, or its lease expired (its worker
 * died); returns null when another live worker holds it. The returned cursor is where to resume.
 */
export async function acquireStreamLease(
  db: Executor,
  streamId: number,
  owner: string,
  leaseMs: number,
): Promise<StreamCursor | null> {
  const rows = await queryRows<Row>(
    db,
    sql`INSERT INTO stream_cursors (stream_id, owner, lease_until)
        VALUES (${streamId}, ${owner}, now() + ${leaseMs} * interval '1 millisecond')
        ON CONFLICT (stream_id) DO UPDATE
          SET owner = excluded.owner, lease_until = excluded.lease_until, updated_at = now()
          WHERE stream_cursors.owner IS NULL OR stream_cursors.owner = excluded.owner
             OR stream_cursors.lease_until IS NULL OR stream_cursors.lease_until < now()
        ${RETURNING}`,
  );
  return rows[0] ? toCursor(rows[0]) : null;
}

/**
 * Checkpoints progress (and extends the lease) if `owner` still holds it. Returns false when the
 * lease was lost: another worker has taken over and this one must stop without writing results.
 * Write drift events for the processed range in the same transaction as this call.
 */
export async function saveStreamCursor(
  db: Executor,
  streamId: number,
  owner: string,
  progress: {
    lastSeq: number;
    adwinState: Record<string, unknown> | null;
    referenceSetId: number | null;
    leaseMs: number;
  },
): Promise<boolean> {
  const rows = await queryRows<Row>(
    db,
    sql`UPDATE stream_cursors SET last_seq = ${progress.lastSeq},
          adwin_state = ${progress.adwinState === null ? null : JSON.stringify(progress.adwinState)}::jsonb,
          reference_set_id = ${progress.referenceSetId},
          lease_until = now() + ${progress.leaseMs} * interval '1 millisecond', updated_at = now()
        WHERE stream_id = ${streamId} AND owner = ${owner} AND lease_until >= now()
        ${RETURNING}`,
  );
  return rows.length === 1;
}

/**
 * Checkpoints the faces-lost detector (its report seq and state) and extends the lease, if `owner`
 * still holds it and nobody moved the report cursor since `fromSeq`; false otherwise (write nothing
 * else then: the transaction must roll back). The embeddings' cursor is left as it is.
 */
export async function saveExtractionCursor(
  db: Executor,
  streamId: number,
  owner: string,
  progress: {
    fromSeq: number;
    extractionSeq: number;
    extractionState: Record<string, unknown>;
    leaseMs: number;
  },
): Promise<boolean> {
  const rows = await queryRows<Row>(
    db,
    sql`UPDATE stream_cursors SET extraction_seq = ${progress.extractionSeq},
          extraction_state = ${JSON.stringify(progress.extractionState)}::jsonb,
          lease_until = now() + ${progress.leaseMs} * interval '1 millisecond', updated_at = now()
        WHERE stream_id = ${streamId} AND owner = ${owner} AND lease_until >= now()
          AND extraction_seq = ${progress.fromSeq}
        ${RETURNING}`,
  );
  return rows.length === 1;
}

/** Gives the lease up so another worker can take the stream at once. */
export async function releaseStreamLease(db: Executor, streamId: number, owner: string): Promise<void> {
  await db.execute(
    sql`UPDATE stream_cursors SET owner = NULL, lease_until = NULL, updated_at = now()
        WHERE stream_id = ${streamId} AND owner = ${owner}`,
  );
}
