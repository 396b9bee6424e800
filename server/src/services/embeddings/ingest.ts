import { and, eq } from "drizzle-orm";
import type { BulkTx } from "../../db/bulk.ts";
import type { Database } from "../../db/database.ts";
import { ensurePartitionFor } from "../../db/partitions.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";
import { streams } from "../../db/schema/stream.ts";
import { formatVectorText } from "../../db/schema/vector-column.ts";
import { FacedriftError } from "../../errors.ts";
import { isTrackName, streamOf } from "../stream-models/names.ts";
import { findTrackForModel, type TransitionHint, transitionHint } from "../stream-models/tracks.ts";
import { COPY_COLUMNS, encodeEmbeddingsCopy } from "./copy-encode.ts";
import { type DecodedBatch, decodeBatch, type IngestItem } from "./decode.ts";
import {
  checkExtraction,
  type ExtractionInput,
  type ExtractionOutcome,
  recordExtraction,
} from "./extraction.ts";

export interface ModelRef {
  id: string;
  version: string;
}

export interface IngestInput {
  tenantId: number;
  stream: string;
  model: ModelRef;
  /** May be empty when `extraction` is given: a batch in which no face was found. */
  items: readonly IngestItem[];
  extraction?: ExtractionInput;
  /** Requests with more items fail with `payload_too_large`. */
  maxItems?: number;
  /** How far after the receive time an item's `ts` may be (`FACEDRIFT_MAX_FUTURE_SKEW_SECONDS`). */
  maxFutureSkewMs?: number;
}

export interface IngestResult {
  streamId: number;
  accepted: number;
  /** Items not stored because their id was already stored or repeated in this request. */
  duplicates: number;
  /** The stream's highest `seq` after this request: seqs count this stream's rows, 1, 2, 3, … */
  lastSeq: number;
  /** The stream's models while it has had a transition (see `services/stream-models/`). */
  transition?: TransitionHint;
  /** Present when the request carried an extraction report. */
  extraction?: ExtractionOutcome;
}

interface StreamRow {
  id: number;
  modelId: string;
  modelVersion: string;
  dimension: number;
}

/** The stream row as locked for writing: with its seq counter, read under the lock. */
interface LockedStream extends StreamRow {
  lastSeq: number;
  lastExtractionSeq: number;
}

/**
 * Stores a batch of embeddings, all or nothing.
 *
 * Every item is validated before anything is written. Then, in one transaction: lock the stream
 * row (creating the stream on first use), check its model, claim the ids in `embedding_ids` with
 * `ON CONFLICT DO NOTHING`, write only the rows whose id was new (binary COPY where the driver
 * can, else one `INSERT … SELECT FROM unnest(…)`), and bump the stream's counters. Two requests
 * carrying the same id serialize on the stream lock (and would on the ledger's primary key
 * anyway): the id is stored once.
 *
 * The stream lock (`FOR NO KEY UPDATE`, which does not block foreign-key checks) also numbers
 * the rows: seqs count per stream (`streams.last_seq` + 1, + 2, …, read by the locking query
 * itself, so the counter costs no round trip), never one sequence shared by every tenant, whose
 * growth would tell each tenant how busy the others are (issue 14). Under the lock the numbers
 * are unique and gap-free across servers, and seq order is commit order within a stream, which
 * is what lets consumers page by `after_seq`.
 */
export async function ingestEmbeddings(
  database: Database,
  input: IngestInput,
  now: Date = new Date(),
): Promise<IngestResult> {
  const { items, maxItems } = input;
  if (maxItems !== undefined && items.length > maxItems) {
    throw new FacedriftError(
      "payload_too_large",
      `a request may carry at most ${maxItems} items, got ${items.length}`,
      { field: "items" },
    );
  }
  if (input.extraction) checkExtraction(input.extraction);
  else if (items.length === 0)
    throw new FacedriftError(
      "invalid_request",
      "items is empty (send at least one item, or an extraction report)",
      {
        field: "items",
      },
    );
  const stream = streamOf(input.stream);
  let target = input.stream;
  let known = await findStreamRow(database, input.tenantId, target);
  if (known && !sameModel(known, input.model)) {
    // Another model than this row's: the stream's candidate (or a retired model, whose late
    // embeddings from an offline outbox still belong to its history) has its own track row.
    const track = await findTrackForModel(database.db, input.tenantId, stream, input.model);
    if (track) {
      target = track.name;
      known = await findStreamRow(database, input.tenantId, target);
    }
  }
  if (known) checkModel(known, input.model, stream);
  else if (isTrackName(target)) throw missingTrack(target);
  // A batch without a face says nothing about the dimension a new stream would need.
  else if (items.length === 0) throw noStreamForReport(target);
  const batch = decodeBatch(items, known?.dimension, {
    nowMs: now.getTime(),
    ...(input.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: input.maxFutureSkewMs }),
  });
  await ensurePartitionFor(database.db, now);
  const result = await database.bulkTransaction(async (tx) => {
    const row = await lockOrCreateStream(tx, { ...input, stream: target }, batch.dimension);
    checkModel(row, input.model, stream);
    if (row.dimension !== batch.dimension) {
      // Only reachable when a concurrent request created the stream after our first read.
      throw new FacedriftError(
        "invalid_request",
        `items[0]: embedding has ${batch.dimension} dimensions, the stream's ${row.dimension}`,
        { item: 0, field: "items[0].embedding" },
      );
    }
    // The report first: a resend whose counts differ fails before anything is written.
    const extraction = input.extraction
      ? await recordExtraction(tx, row, input.extraction, items.length, now.toISOString())
      : undefined;
    const { accepted, lastSeq } =
      items.length === 0
        ? { accepted: 0, lastSeq: row.lastSeq }
        : await insertBatch(tx, row, batch, now.getTime());
    return {
      streamId: row.id,
      accepted,
      duplicates: items.length - accepted,
      lastSeq,
      ...(extraction ? { extraction } : {}),
    };
  });
  const transition = await transitionHint(database.db, input.tenantId, stream);
  return transition ? { ...result, transition } : result;
}

async function findStreamRow(
  database: Database,
  tenantId: number,
  name: string,
): Promise<StreamRow | undefined> {
  const [row] = await database.db
    .select({
      id: streams.id,
      modelId: streams.modelId,
      modelVersion: streams.modelVersion,
      dimension: streams.dimension,
    })
    .from(streams)
    .where(and(eq(streams.tenantId, tenantId), eq(streams.name, name)));
  return row;
}

const sameModel = (stream: StreamRow, model: ModelRef) =>
  stream.modelId === model.id && stream.modelVersion === model.version;

/** Ingestion never creates a model track: `POST /v1/streams/{stream}/candidate` does. */
function missingTrack(name: string): FacedriftError {
  return new FacedriftError(
    "not_found",
    `model track "${name}" does not exist (it is made by setting a candidate: POST /v1/streams/${streamOf(name)}/candidate)`,
    { field: "stream" },
  );
}

function noStreamForReport(name: string): FacedriftError {
  return new FacedriftError(
    "not_found",
    `stream "${name}" does not exist yet: an extraction report without items needs a stream that has ` +
      "received embeddings (its dimension is fixed by the first one)",
    { field: "stream" },
  );
}

function checkModel(stream: StreamRow, model: ModelRef, name: string): void {
  if (!sameModel(stream, model)) {
    throw new FacedriftError(
      "conflict",
      `the stream holds embeddings of model ${stream.modelId}@${stream.modelVersion}, not ` +
        `${model.id}@${model.version}; to run another model on it, set that model as the stream's ` +
        `candidate (POST /v1/streams/${name}/candidate), or use a new stream`,
      { field: "model" },
    );
  }
}

interface StreamRecord {
  id: string;
  model_id: string;
  model_version: string;
  dimension: number;
  last_seq: string;
  last_extraction_seq: string;
}

async function lockOrCreateStream(tx: BulkTx, input: IngestInput, dimension: number): Promise<LockedStream> {
  const lock = `SELECT id::text AS id, model_id, model_version, dimension, last_seq::text AS last_seq,
      last_extraction_seq::text AS last_extraction_seq
    FROM streams WHERE tenant_id = $1 AND name = $2 FOR NO KEY UPDATE`;
  let [row] = await tx.query<StreamRecord>(lock, [input.tenantId, input.stream]);
  // A track renamed by a promotion since our first read: the client sends again and is routed anew.
  if (!row && isTrackName(input.stream)) throw missingTrack(input.stream);
  if (!row) {
    await tx.query(
      `INSERT INTO streams (tenant_id, name, model_id, model_version, dimension) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, name) DO NOTHING`,
      [input.tenantId, input.stream, input.model.id, input.model.version, dimension],
    );
    [row] = await tx.query<StreamRecord>(lock, [input.tenantId, input.stream]);
  }
  if (!row) throw new Error(`stream "${input.stream}" vanished right after it was created`);
  return {
    id: Number(row.id),
    modelId: row.model_id,
    modelVersion: row.model_version,
    dimension: Number(row.dimension),
    lastSeq: Number(row.last_seq),
    lastExtractionSeq: Number(row.last_extraction_seq),
  };
}

/**
 * Claims the batch's ids in the idempotency ledger and returns the indexes (into the batch) of
 * those that were new, in request order. Ids already stored, by an earlier request or by one
 * that committed while we waited for the stream lock, are not returned.
 */
async function claimIds(
  tx: BulkTx,
  streamId: number,
  batch: DecodedBatch,
  receivedAt: string,
): Promise<number[]> {
  const claimed = await tx.query<{ client_id: string }>(
    `INSERT INTO embedding_ids (stream_id, client_id, received_at)
     SELECT $1, client_id, $2::timestamptz FROM unnest($3::text[]) AS t(client_id)
     ON CONFLICT DO NOTHING
     RETURNING client_id`,
    [streamId, receivedAt, pgArrayLiteral(batch.ids)],
  );
  const fresh = new Set(claimed.map((row) => row.client_id));
  const rows: number[] = [];
  batch.ids.forEach((id, index) => {
    if (fresh.has(id)) rows.push(index);
  });
  // Every id the ledger took must be written. If the database stored an id other than the one
  // sent (a text it cannot represent, as lone surrogates were), fail the transaction rather than
  // acknowledge an item that would never be stored.
  if (rows.length !== claimed.length) {
    throw new Error(`the idempotency ledger stored ${claimed.length - rows.length} id(s) not sent as given`);
  }
  return rows;
}

/** Inserts rows `rows` of the batch in that order as seqs `stream.lastSeq + 1`, + 2, … */
async function writeRows(
  tx: BulkTx,
  stream: LockedStream,
  batch: DecodedBatch,
  rows: number[],
  receivedAtMs: number,
) {
  if (tx.copyBinary) {
    const data = encodeEmbeddingsCopy(batch, rows, {
      firstSeq: stream.lastSeq + 1,
      streamId: stream.id,
      receivedAtMs,
      modelId: stream.modelId,
      modelVersion: stream.modelVersion,
      dimension: batch.dimension,
    });
    await tx.copyBinary("embeddings", COPY_COLUMNS, data);
    return;
  }
  const pick = <T>(column: T[]) => rows.map((r) => column[r] as T);
  await tx.query(
    `INSERT INTO embeddings (seq, stream_id, client_id, event_time, received_at, model_id, model_version,
                             dimension, embedding, source, device, metadata)
     SELECT $12::bigint + ord, $1, client_id, event_time, $2::timestamptz, $3, $4, $5, vec::vector, source,
            device, metadata::jsonb
     FROM unnest($6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[])
       WITH ORDINALITY AS t(client_id, event_time, vec, source, device, metadata, ord)`,
    [
      stream.id,
      new Date(receivedAtMs).toISOString(),
      stream.modelId,
      stream.modelVersion,
      batch.dimension,
      pgArrayLiteral(pick(batch.ids)),
      pgArrayLiteral(pick(batch.eventTimes).map((ms) => new Date(ms).toISOString())),
      pgArrayLiteral(pick(batch.vectors).map(formatVectorText)),
      pgArrayLiteral(pick(batch.sources)),
      pgArrayLiteral(pick(batch.devices)),
      pgArrayLiteral(pick(batch.metadata)),
      stream.lastSeq,
    ],
  );
}

async function insertBatch(
  tx: BulkTx,
  stream: LockedStream,
  batch: DecodedBatch,
  receivedAtMs: number,
): Promise<{ accepted: number; lastSeq: number }> {
  const receivedAt = new Date(receivedAtMs).toISOString();
  const rows = await claimIds(tx, stream.id, batch, receivedAt);
  if (rows.length > 0) await writeRows(tx, stream, batch, rows, receivedAtMs);
  // The rows took seqs lastSeq + 1 … lastSeq + n; the lock held since it was read keeps every
  // other writer of this stream out until this commits or rolls back (and with it the counter).
  const [updated] = await tx.query<{ last_seq: string }>(
    `UPDATE streams SET
       embedding_count = embedding_count + $2,
       last_seq = last_seq + $2,
       last_received_at = CASE WHEN $2 > 0 THEN $3::timestamptz ELSE last_received_at END
     WHERE id = $1
     RETURNING last_seq::text AS last_seq`,
    [stream.id, rows.length, receivedAt],
  );
  return { accepted: rows.length, lastSeq: Number(updated?.last_seq ?? 0) };
}
