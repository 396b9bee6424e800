import { createHash } from "node:crypto";
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db, Executor } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { streams } from "../../db/schema/stream.ts";
import { parseVectorText } from "../../db/schema/vector-column.ts";
import { FacedriftError } from "../../errors.ts";
import type { ArchiveKeyRing } from "../../retention/archive-keys.ts";
import type { ArchiveStore } from "../../retention/archive-store.ts";
import { type ArchivedDayErasure, eraseFromArchives } from "../../retention/erase.ts";
import type { ArchiveRow } from "../../retention/parquet.ts";
import { recordAudit } from "../audit/record.ts";
import { mergeReports, ReferenceEraser, type ReferenceErasureReport } from "../references/erase.ts";
import { isTrackName } from "../stream-models/names.ts";
import { listTracks } from "../stream-models/tracks.ts";

/** Which rows to erase: every row of one device, or every row whose metadata key has a value. */
export type DeletionCriterion = { device: string } | { metadataKey: string; metadataValue: string };

export interface DeleteEmbeddingsInput {
  tenantId: number;
  stream: string;
  actor: string;
  criterion: DeletionCriterion;
  /**
   * The archive, so archived days are rewritten without the subject; null only where no archive
   * can exist (then archived days are reported as not checked).
   */
  archives: ArchiveAccess | null;
  now?: Date;
}

/** Where archived days are and the keys that open them (`retention/`). */
export interface ArchiveAccess {
  store: ArchiveStore;
  /** Called only when an archived day must be rewritten (it may create the embedded default key). */
  keys: () => ArchiveKeyRing | null;
}

export interface DeletionResult {
  /** Rows erased from the database. */
  deleted: number;
  /** Archived days rewritten without the subject, and the rows removed from them. */
  archived: { daysScanned: number; days: ArchivedDayErasure[]; rows: number };
  /** Reference versions that held copies, and what was removed from each. */
  references: ReferenceErasureReport[];
}

/**
 * Privacy deletion, everywhere the subject's embeddings are kept, in each model track of the
 * stream (`services/stream-models/`):
 *
 * 1. In one transaction with an `audit_log` row (`embeddings.delete`): the stream's rows of one
 *    device (or one metadata value), their idempotency-ledger entries and cached scores, and their
 *    copies in the stream's reference versions (stored vectors, MMD and KS sample rows; the
 *    version is marked for a refit, `services/references/erase.ts`).
 * 2. Then the archived days (`retention/erase.ts`): each day holding the subject is rewritten
 *    without them, verified by reading it back, and reference copies of those rows are removed
 *    too, audited as `embeddings.delete_archived`. If this fails the database part stays done, a
 *    `unavailable` error says so, and repeating the request finishes the job (it is idempotent).
 *
 * Dropping the ledger entries means the same ids would be accepted again: after an erasure
 * request nothing about the rows may remain, their ids included.
 *
 * The audit rows record the criterion's SHA-256, not the device id or metadata value itself,
 * so the log of an erasure does not keep the identifier it erased; someone who knows the value
 * can still prove the request was carried out by hashing it.
 */
export async function deleteEmbeddings(db: Db, input: DeleteEmbeddingsInput): Promise<DeletionResult> {
  // A stream in (or after) a model transition keeps the subject's faces in each model's track:
  // erase from every one. A track named on its own is erased alone.
  const names = isTrackName(input.stream)
    ? [input.stream]
    : (await listTracks(db, input.tenantId, input.stream)).map((track) => track.name);
  const results: DeletionResult[] = [];
  for (const stream of names) results.push(await deleteFromTrack(db, { ...input, stream }));
  return {
    deleted: results.reduce((sum, r) => sum + r.deleted, 0),
    archived: {
      daysScanned: results.reduce((sum, r) => sum + r.archived.daysScanned, 0),
      days: results.flatMap((r) => r.archived.days),
      rows: results.reduce((sum, r) => sum + r.archived.rows, 0),
    },
    references: results.flatMap((r) => r.references),
  };
}

/** The erasure on one stream row (one model's track). */
async function deleteFromTrack(db: Db, input: DeleteEmbeddingsInput): Promise<DeletionResult> {
  const criterion = input.criterion;
  const now = input.now ?? new Date();
  const match =
    "device" in criterion
      ? sql`device = ${criterion.device}`
      : sql`metadata ->> ${criterion.metadataKey} = ${criterion.metadataValue}`;
  const value = "device" in criterion ? criterion.device : criterion.metadataValue;
  const auditCriterion = {
    criterion: "device" in criterion ? "device" : "metadata",
    ...("metadataKey" in criterion ? { metadataKey: criterion.metadataKey } : {}),
    valueSha256: createHash("sha256").update(value).digest("hex"),
  };
  const { streamId, deleted, references } = await db.transaction(async (tx) => {
    // Same lock as ingestion: no batch for this stream commits halfway through the erasure.
    const [stream] = await tx
      .select({ id: streams.id })
      .from(streams)
      .where(and(eq(streams.tenantId, input.tenantId), eq(streams.name, input.stream)))
      .for("no key update");
    if (!stream)
      throw new FacedriftError("not_found", `stream "${input.stream}" does not exist`, { field: "stream" });
    const streamId = Number(stream.id);
    const references = await eraseReferenceCopies(tx, streamId, match, now);
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
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: "embeddings.delete",
      target: `stream:${input.stream}`,
      details: { ...auditCriterion, deleted, ledgerEntries: counts?.ids ?? 0, referenceVersions: references },
    });
    return { streamId, deleted, references };
  });

  const result: DeletionResult = { deleted, archived: { daysScanned: 0, days: [], rows: 0 }, references };
  if (!input.archives) return result;
  const archives = input.archives;
  const rowMatches = archiveRowMatcher(criterion);
  try {
    const erased = await eraseFromArchives(db, archives.store, archives.keys, streamId, rowMatches);
    result.archived = { daysScanned: erased.daysScanned, days: erased.days, rows: erased.rowsRemoved };
    if (erased.daysScanned === 0) return result;
    const archivedReferences = await db.transaction(async (tx) => {
      const eraser = await ReferenceEraser.load(tx, streamId);
      eraser.scan(erased.vectors);
      const reports = await eraser.apply(tx, { vectors: erased.vectors }, now);
      await recordAudit(tx, {
        tenantId: input.tenantId,
        actor: input.actor,
        action: "embeddings.delete_archived",
        target: `stream:${input.stream}`,
        details: {
          ...auditCriterion,
          daysScanned: erased.daysScanned,
          days: erased.days,
          rows: erased.rowsRemoved,
          verified: true,
          referenceVersions: reports,
        },
      });
      return reports;
    });
    result.references = mergeReports(references, archivedReferences);
  } catch (error) {
    throw new FacedriftError(
      "unavailable",
      `erased ${deleted} embeddings from the database, but the archived days could not be rewritten ` +
        `(${(error as Error).message}); repeat the request to finish`,
      { cause: error },
    );
  }
  return result;
}

/**
 * Copies in reference versions of the rows about to be deleted: compared before they go. Only rows
 * received before the latest version was fitted can be in one.
 */
async function eraseReferenceCopies(
  tx: Executor,
  streamId: number,
  match: SQL,
  now: Date,
): Promise<ReferenceErasureReport[]> {
  const eraser = await ReferenceEraser.load(tx, streamId);
  if (eraser.empty) return [];
  const fittedBefore = new Date(eraser.latestFitMs).toISOString();
  let after = 0;
  for (;;) {
    const chunk = await queryRows<{ seq: number; received_ms: number; embedding: string }>(
      tx,
      sql`SELECT seq::float8 AS seq, (extract(epoch FROM received_at) * 1000)::float8 AS received_ms,
            embedding::text AS embedding
          FROM embeddings WHERE stream_id = ${streamId} AND ${match}
            AND received_at <= ${fittedBefore}::timestamptz AND seq > ${after}
          ORDER BY seq LIMIT 2000`,
    );
    eraser.scan(
      chunk.map((row) => ({ embedding: parseVectorText(row.embedding), receivedAtMs: row.received_ms })),
    );
    if (chunk.length < 2000) break;
    after = chunk.at(-1)?.seq ?? after;
  }
  return eraser.apply(
    tx,
    {
      erasedRowsSql: sql`SELECT embedding FROM embeddings WHERE stream_id = ${streamId} AND ${match}
                           AND received_at <= ${fittedBefore}::timestamptz`,
    },
    now,
  );
}

/** The criterion applied to an archived row, as `device = …` / `metadata ->> key = …` do in SQL. */
export function archiveRowMatcher(criterion: DeletionCriterion): (row: ArchiveRow) => boolean {
  if ("device" in criterion) return (row) => row.device === criterion.device;
  return (row) => {
    if (row.metadata === null) return false;
    let metadata: unknown;
    try {
      metadata = JSON.parse(row.metadata);
    } catch {
      return false;
    }
    if (!metadata || typeof metadata !== "object" || Array.isArray(metadata)) return false;
    const value = (metadata as Record<string, unknown>)[criterion.metadataKey];
    // `->>` gives a string's text, other scalars' JSON text, and SQL NULL for null or absent.
    if (value === undefined || value === null) return false;
    return (typeof value === "string" ? value : JSON.stringify(value)) === criterion.metadataValue;
  };
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
