import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { streams } from "../../db/schema/stream.ts";
import { FacedriftError } from "../../errors.ts";
import { recordAudit } from "../audit/record.ts";

/** Which rows to erase: every row of one device, or every row whose metadata key has a value. */
export type DeletionCriterion = { device: string } | { metadataKey: string; metadataValue: string };

export interface DeleteEmbeddingsInput {
  tenantId: number;
  stream: string;
  actor: string;
  criterion: DeletionCriterion;
}

/**
 * Privacy deletion: erases a stream's embeddings of one device (or one metadata value) and their
 * idempotency-ledger entries, in one transaction with an `audit_log` row, and returns the count.
 * Dropping the ledger entries means the same ids would be accepted again: after an erasure
 * request nothing about the rows may remain, their ids included.
 *
 * The audit row records the criterion's SHA-256, not the device id or metadata value itself,
 * so the log of an erasure does not keep the identifier it erased; someone who knows the value
 * can still prove the request was carried out by hashing it.
 *
 * Not covered: days already archived to Parquet (`retention/`) are not rewritten, and vectors
 * copied into a reference set stay there (the stream's frozen baseline).
 */
export async function deleteEmbeddings(db: Db, input: DeleteEmbeddingsInput): Promise<{ deleted: number }> {
  const criterion = input.criterion;
  const match =
    "device" in criterion
      ? sql`device = ${criterion.device}`
      : sql`metadata ->> ${criterion.metadataKey} = ${criterion.metadataValue}`;
  return db.transaction(async (tx) => {
    // Same lock as ingestion: no batch for this stream commits halfway through the erasure.
    const [stream] = await tx
      .select({ id: streams.id })
      .from(streams)
      .where(and(eq(streams.tenantId, input.tenantId), eq(streams.name, input.stream)))
      .for("no key update");
    if (!stream)
      throw new FacedriftError("not_found", `stream "${input.stream}" does not exist`, { field: "stream" });
    const streamId = Number(stream.id);
    const [counts] = await queryRows<{ deleted: number; ids: number }>(
      tx,
      sql`WITH gone AS (DELETE FROM embeddings WHERE stream_id = ${streamId} AND ${match} RETURNING client_id, seq),
               ledger AS (DELETE FROM embedding_ids i USING gone
                          WHERE i.stream_id = ${streamId} AND i.client_id = gone.client_id RETURNING 1),
               -- Scores are derived from the deleted vectors: they go with them.
               scored AS (DELETE FROM embedding_scores s USING gone
                          WHERE s.stream_id = ${streamId} AND s.seq = gone.seq RETURNING 1)
          SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM ledger)::int AS ids`,
    );
    const deleted = counts?.deleted ?? 0;
    if (deleted > 0) {
      await tx
        .update(streams)
        .set({ embeddingCount: sql`greatest(0, ${streams.embeddingCount} - ${deleted})` })
        .where(eq(streams.id, streamId));
    }
    const value = "device" in criterion ? criterion.device : criterion.metadataValue;
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "embeddings.delete",
      target: `stream:${input.stream}`,
      details: {
        criterion: "device" in criterion ? "device" : "metadata",
        ...("metadataKey" in criterion ? { metadataKey: criterion.metadataKey } : {}),
        valueSha256: createHash("sha256").update(value).digest("hex"),
        deleted,
        ledgerEntries: counts?.ids ?? 0,
      },
    });
    return { deleted };
  });
}

/** From the query string or CLI flags: exactly one criterion, or a 400 naming the field. */
export function deletionCriterion(input: {
  device?: string | undefined;
  metadataKey?: string | undefined;
  metadataValue?: string | undefined;
}): DeletionCriterion {
  const { device, metadataKey, metadataValue } = input;
  const hasMetadata = metadataKey !== undefined || metadataValue !== undefined;
  if (device !== undefined && hasMetadata) {
    throw new FacedriftError("invalid_request", "device: give either device or metadata_key/metadata_value", {
      field: "device",
    });
  }
  if (device !== undefined) return { device };
  if (metadataKey === undefined) {
    throw new FacedriftError("invalid_request", "device: give device, or metadata_key with metadata_value", {
      field: hasMetadata ? "metadata_key" : "device",
    });
  }
  if (metadataValue === undefined) {
    throw new FacedriftError("invalid_request", "metadata_value: required with metadata_key", {
      field: "metadata_value",
    });
  }
  return { metadataKey, metadataValue };
}
