import { bigint, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { vector } from "./vector-column.ts";

export const EMBEDDING_SOURCES = ["browser", "replica", "api"] as const;
export type EmbeddingSource = (typeof EMBEDDING_SOURCES)[number];

/**
 * The embeddings, range-partitioned by receive day so retention drops whole days with
 * `DROP TABLE` instead of a long DELETE (see `db/partitions.ts`).
 *
 * drizzle-kit cannot emit `PARTITION BY`, so this table is created by the hand-written migration
 * `drizzle/0002_embeddings_partitioned.sql` and is left out of drizzle-kit's schema list in
 * `drizzle.config.ts`; this declaration is only used to build queries.
 *
 * - A unique key on a partitioned table must contain the partition key, so `(stream_id,
 *   client_id)` cannot be unique here; idempotency lives in `embedding_ids` instead.
 * - `seq` counts the stream's rows (1, 2, 3, …): ingestion numbers each batch from
 *   `streams.last_seq` under the stream's row lock (`services/embeddings/ingest.ts`), so the
 *   numbers are unique and gap-free per stream, say nothing of other streams' traffic (issue 14;
 *   until migration 0015 they came from one server-wide sequence), and seq order equals commit
 *   order within a stream: a consumer that reads `seq > cursor` never skips a row that commits
 *   later. There is no default: every writer sets it.
 */
export const embeddings = pgTable(
  "embeddings",
  {
    seq: bigint("seq", { mode: "number" }).notNull(),
    // No foreign key to streams, for the same reason as in `embedding_ids`.
    streamId: bigint("stream_id", { mode: "number" }).notNull(),
    clientId: text("client_id").notNull(),
    eventTime: timestamp("event_time", { withTimezone: true, mode: "string" }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "string" }).notNull(),
    modelId: text("model_id").notNull(),
    modelVersion: text("model_version").notNull(),
    dimension: integer("dimension").notNull(),
    embedding: vector("embedding").notNull(),
    source: text("source").$type<EmbeddingSource>().notNull(),
    device: text("device"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.streamId, t.seq, t.receivedAt] })],
);
