import { sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import type { EmbeddingSource } from "../../db/schema/embedding.ts";
import { parseVectorText } from "../../db/schema/vector-column.ts";

export interface StoredEmbedding {
  seq: number;
  id: string;
  eventTime: string;
  receivedAt: string;
  model: { id: string; version: string };
  source: EmbeddingSource;
  device: string | null;
  metadata: Record<string, unknown> | null;
  embedding: Float32Array;
}

export interface EmbeddingPage {
  items: StoredEmbedding[];
  /** Pass as `afterSeq` for the next page (the last seq returned, or `afterSeq` if none). */
  nextAfterSeq: number;
  /** The page was full, so more rows may follow right away. */
  hasMore: boolean;
}

export const MAX_PAGE_SIZE = 1_000;

interface Row {
  seq: string;
  client_id: string;
  event_time: string;
  received_at: string;
  model_id: string;
  model_version: string;
  source: EmbeddingSource;
  device: string | null;
  metadata: string | null;
  embedding: string;
}

/**
 * A stream's embeddings with `seq > afterSeq`, in seq order. This is the consumer cursor the
 * streaming worker and `GET …/embeddings` use: seq order is commit order within a stream (see
 * `ingest.ts`), so paging by seq never skips a row. `streamId` must already be tenant-checked.
 */
export async function listEmbeddings(
  db: Executor,
  streamId: number,
  afterSeq: number,
  limit: number,
): Promise<EmbeddingPage> {
  const size = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.trunc(limit)));
  // Text and epoch casts give both drivers identical JS types (see queryRows).
  const rows = await queryRows<Row>(
    db,
    sql`SELECT seq::text AS seq, client_id,
          to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS event_time,
          to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at,
          model_id, model_version, source, device, metadata::text AS metadata, embedding::text AS embedding
        FROM embeddings
        WHERE stream_id = ${streamId} AND seq > ${afterSeq}
        -- Qualified: a bare "seq" here would name the text output column and sort "10" before "9".
        ORDER BY embeddings.seq
        LIMIT ${size}`,
  );
  const items = rows.map((r) => ({
    seq: Number(r.seq),
    id: r.client_id,
    eventTime: r.event_time,
    receivedAt: r.received_at,
    model: { id: r.model_id, version: r.model_version },
    source: r.source,
    device: r.device,
    metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as Record<string, unknown>),
    embedding: parseVectorText(r.embedding),
  }));
  const last = items.at(-1);
  return { items, nextAfterSeq: last?.seq ?? afterSeq, hasMore: items.length === size };
}
