import { bigint, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { referenceSets } from "./reference-set.ts";
import { streams } from "./stream.ts";

/**
 * Where the streaming worker stands on a stream: the last `embeddings.seq` it processed and its
 * checkpointed ADWIN state (JSON with a format version, written by `stats`). `owner` and
 * `lease_until` let several worker processes share streams: a worker updates a row only while it
 * holds an unexpired lease.
 */
export const streamCursors = pgTable("stream_cursors", {
  streamId: bigint("stream_id", { mode: "number" })
    .primaryKey()
    .references(() => streams.id, { onDelete: "cascade" }),
  lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
  adwinState: jsonb("adwin_state").$type<Record<string, unknown>>(),
  referenceSetId: bigint("reference_set_id", { mode: "number" }).references(() => referenceSets.id, {
    onDelete: "set null",
  }),
  /**
   * The last extraction report (`extraction_reports.seq`) the worker processed and the faces-lost
   * detector's state (`stats/src/detectors/extraction-stream.ts`), saved with the rest of the
   * checkpoint in the same commit.
   */
  extractionSeq: bigint("extraction_seq", { mode: "number" }).notNull().default(0),
  extractionState: jsonb("extraction_state").$type<Record<string, unknown>>(),
  owner: text("owner"),
  leaseUntil: timestamp("lease_until", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
