import { sql } from "drizzle-orm";
import { bigint, check, integer, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { streams } from "./stream.ts";

/**
 * What an API client's own pipeline reported with a batch of embeddings: how many images or frames
 * it ran its face detector on (`attempted`) and how many yielded no face (`no_face`). A change that
 * defeats the detector leaves no embeddings, so these counts are the only trace of it in a stream
 * (issue 12: failures to extract count as failed comparisons). `seq` numbers a stream's reports
 * 1, 2, 3, … under the stream's row lock (`streams.last_extraction_seq`), so the streaming worker
 * pages them like embeddings; `client_id` is the report's idempotency key: a resent batch is
 * counted once.
 */
export const extractionReports = pgTable(
  "extraction_reports",
  {
    streamId: bigint("stream_id", { mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    seq: bigint("seq", { mode: "number" }).notNull(),
    clientId: text("client_id").notNull(),
    attempted: integer("attempted").notNull(),
    noFace: integer("no_face").notNull(),
    /** Embeddings the request carried (stored or duplicate): context for a reader, not tested. */
    items: integer("items").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.streamId, t.seq] }),
    unique("extraction_reports_client_id_unique").on(t.streamId, t.clientId),
    check("extraction_reports_counts_check", sql`${t.noFace} between 0 and ${t.attempted}`),
  ],
);
