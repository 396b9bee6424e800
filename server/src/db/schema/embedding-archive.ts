import { bigint, date, integer, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { streams } from "./stream.ts";

/**
 * One archived day of one stream: the Parquet file written before that day's rows were dropped,
 * verified by reading it back (row count and SHA-256 recorded here).
 */
export const embeddingArchives = pgTable(
  "embedding_archives",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    streamId: bigint("stream_id", { mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    /** file:// path or s3://bucket/key. */
    location: text("location").notNull(),
    rows: integer("rows").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("embedding_archives_stream_day_unique").on(t.streamId, t.day)],
);
