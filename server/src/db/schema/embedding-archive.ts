import { bigint, date, integer, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { streams } from "./stream.ts";

/**
 * One archived day of one stream: the sealed Parquet file (`retention/envelope.ts`) written before
 * that day's rows were dropped, verified by reading it back. A file is never changed in place:
 * an erasure or a key rotation writes a new object and swaps `object_key` here (compare-and-set
 * on the old key), so two rewriters never lose each other's work.
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
    /** The store key of the current object (`<stream-id>/<day>…`). */
    objectKey: text("object_key").notNull(),
    rows: integer("rows").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    /** SHA-256 of the stored object (the sealed file). */
    sha256: text("sha256").notNull(),
    /** The key-encryption key the file's data key is wrapped with; null: a plaintext file from before encryption. */
    keyId: text("key_id"),
    firstSeq: bigint("first_seq", { mode: "number" }),
    lastSeq: bigint("last_seq", { mode: "number" }),
    /**
     * Set on files written before seqs counted per stream (migration 0015): they hold the old
     * server-wide seqs, which `firstSeq`/`lastSeq` and the file's associated data keep. Row i
     * (from 1, in file order) comes back as per-stream seq `seqOffset + i`. Null: the file holds
     * per-stream seqs.
     */
    seqOffset: bigint("seq_offset", { mode: "number" }),
    /** Rows removed from the file by privacy erasures since it was written. */
    erasedRows: integer("erased_rows").notNull().default(0),
    /** Set by `archive restore`: the day's rows are back in the database and retention leaves them until then. */
    restoredUntil: timestamp("restored_until", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("embedding_archives_stream_day_unique").on(t.streamId, t.day)],
);
