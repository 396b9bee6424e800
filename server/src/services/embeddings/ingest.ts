import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { ensurePartitionFor } from "../../db/partitions.ts";
import { streams } from "../../db/schema/stream.ts";
import { FacedriftError } from "../../errors.ts";
import { type DecodedBatch, decodeBatch, type IngestItem } from "./decode.ts";

export interface ModelRef {
  id: string;
  version: string;
}

export interface IngestInput {
  tenantId: number;
  stream: string;
  model: ModelRef;
  items: readonly IngestItem[];
  /** Requests with more items fail with `payload_too_large`. */
  maxItems?: number;
}

export interface IngestResult {
  streamId: number;
  accepted: number;
  /** Items not stored because their id was already stored or repeated in this request. */
  duplicates: number;
  /** The stream's highest `seq` after this request. */
  lastSeq: number;
}

interface StreamRow {
  id: number;
  modelId: string;
  modelVersion: string;
  dimension: number;
}

const streamColumns = {
  id: streams.id,
  modelId: streams.modelId,
  modelVersion: streams.modelVersion,
  dimension: streams.dimension,
};

/**
 * Stores a batch of embeddings, all or nothing.
 *
 * Validation happens before any write. Then, in one transaction: lock the stream row (creating
 * the stream on first use), check the model, and run one statement that records the new ids in
 * `embedding_ids` (`ON CONFLICT DO NOTHING`), inserts only the rows whose id was new, and bumps
 * the stream's counters. A second request with the same id blocks on the ledger's primary key
 * (in fact already on the stream lock) until the first commits, then sees the conflict: an id is
 * stored once however requests race.
 *
 * The stream row lock (`FOR NO KEY UPDATE`) also orders `seq` by commit within a stream, which is
 * what lets consumers page with `after_seq`.
 */
export async function ingestEmbeddings(
  db: Db,
  input: IngestInput,
  now: Date = new Date(),
): Promise<IngestResult> {
  const { items, maxItems } = input;
  if (maxItems !== undefined && items.length > maxItems) {
    throw new FacedriftError(
      "payload_too_large",
      `a request may carry at most ${maxItems} items, got ${items.length}`,
      {
        field: "items",
      },
    );
  }
  if (items.length === 0) {
    throw new FacedriftError("invalid_request", "items is empty", { field: "items" });
  }
  const [known] = await db
    .select(streamColumns)
    .from(streams)
    .where(and(eq(streams.tenantId, input.tenantId), eq(streams.name, input.stream)));
  if (known) checkModel(known, input.model);
  const batch = decodeBatch(items, known?.dimension);
  await ensurePartitionFor(db, now);
  return db.transaction(async (tx) => {
    const stream = await lockOrCreateStream(tx, input, batch.dimension);
    checkModel(stream, input.model);
    if (stream.dimension !== batch.dimension) {
      // Only reachable when the stream was created by a concurrent request after our first read.
      throw new FacedriftError(
        "invalid_request",
        `items[0]: embedding has ${batch.dimension} dimensions, the stream's ${stream.dimension}`,
        { item: 0, field: "items[0].embedding" },
      );
    }
    const { accepted, lastSeq } = await insertBatch(tx, stream, batch, now);
    return {
      streamId: stream.id,
      accepted,
      duplicates: items.length - accepted,
      lastSeq,
    };
  });
}

function checkModel(stream: StreamRow, model: ModelRef): void {
  if (stream.modelId !== model.id || stream.modelVersion !== model.version) {
    throw new FacedriftError(
      "conflict",
      `the stream holds embeddings of model ${stream.modelId}@${stream.modelVersion}, not ${model.id}@${model.version}; ` +
        "a stream keeps its model forever, so send these to a new stream",
      { field: "model" },
    );
  }
}

async function lockOrCreateStream(tx: Tx, input: IngestInput, dimension: number): Promise<StreamRow> {
  const where = and(eq(streams.tenantId, input.tenantId), eq(streams.name, input.stream));
  const [locked] = await tx.select(streamColumns).from(streams).where(where).for("no key update");
  if (locked) return normalize(locked);
  await tx
    .insert(streams)
    .values({
      tenantId: input.tenantId,
      name: input.stream,
      modelId: input.model.id,
      modelVersion: input.model.version,
      dimension,
    })
    .onConflictDoNothing();
  const [created] = await tx.select(streamColumns).from(streams).where(where).for("no key update");
  if (!created) throw new Error(`stream "${input.stream}" vanished right after it was created`);
  return normalize(created);
}

const normalize = (row: StreamRow): StreamRow => ({
  ...row,
  id: Number(row.id),
  dimension: Number(row.dimension),
});

async function insertBatch(
  tx: Tx,
  stream: StreamRow,
  batch: DecodedBatch,
  now: Date,
): Promise<{ accepted: number; lastSeq: number }> {
  const receivedAt = now.toISOString();
  // One round trip: unnest the columns, claim the ids, insert the rows whose id was new in
  // request order (so seq follows it), and update the stream's counters.
  const [result] = await queryRows<{ accepted: number; last_seq: string }>(
    tx,
    sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${sql.param(batch.ids)}::text[], ${sql.param(batch.eventTimes)}::timestamptz[],
        ${sql.param(batch.vectors)}::text[], ${sql.param(batch.sources)}::text[],
        ${sql.param(batch.devices)}::text[], ${sql.param(batch.metadata)}::text[]
      ) WITH ORDINALITY AS t(client_id, event_time, vec, source, device, metadata, ord)
    ), fresh AS (
      INSERT INTO embedding_ids (stream_id, client_id, received_at)
      SELECT ${stream.id}, client_id, ${receivedAt}::timestamptz FROM input
      ON CONFLICT DO NOTHING
      RETURNING client_id
    ), inserted AS (
      INSERT INTO embeddings (stream_id, client_id, event_time, received_at, model_id, model_version,
                              dimension, embedding, source, device, metadata)
      SELECT ${stream.id}, i.client_id, i.event_time, ${receivedAt}::timestamptz, ${stream.modelId},
             ${stream.modelVersion}, ${batch.dimension}, i.vec::vector, i.source, i.device, i.metadata::jsonb
      FROM input i JOIN fresh f USING (client_id)
      ORDER BY i.ord
      RETURNING seq
    ), totals AS (
      SELECT count(*)::int AS accepted, max(seq) AS last_seq FROM inserted
    ), bumped AS (
      UPDATE streams SET
        embedding_count = embedding_count + totals.accepted,
        last_seq = greatest(streams.last_seq, coalesce(totals.last_seq, 0)),
        last_received_at = CASE WHEN totals.accepted > 0 THEN ${receivedAt}::timestamptz ELSE last_received_at END
      FROM totals WHERE streams.id = ${stream.id}
      RETURNING streams.last_seq
    )
    SELECT totals.accepted, bumped.last_seq::text AS last_seq FROM totals, bumped`,
  );
  if (!result) throw new Error("ingestion statement returned no row");
  return { accepted: Number(result.accepted), lastSeq: Number(result.last_seq) };
}
