import { bigint, index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The idempotency ledger: one row per (stream, client-supplied id) ever accepted. It is the only
 * place `(stream_id, client_id)` can be unique, because `embeddings` is partitioned by day.
 * Ingestion inserts here with `ON CONFLICT DO NOTHING` and stores only the ids that inserted, in
 * the same statement; two concurrent requests with one id serialize on this primary key, so the
 * id is stored once. Retention deletes the rows older than the dropped days (`received_at`).
 */
export const embeddingIds = pgTable(
  "embedding_ids",
  {
    // No foreign key to streams, on purpose: an FK costs a lookup and a row lock per inserted row
    // on the hottest path, and ingestion only writes ids for a stream it holds locked.
    streamId: bigint("stream_id", { mode: "number" }).notNull(),
    clientId: text("client_id").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.streamId, t.clientId] }),
    index("embedding_ids_received_at_idx").on(t.receivedAt),
  ],
);
