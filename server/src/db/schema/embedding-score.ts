import { bigint, doublePrecision, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { referenceSets } from "./reference-set.ts";

/**
 * Each embedding's scores on one reference version's principal components, written by the
 * streaming worker in the transaction that advances its cursor (it projects every embedding on
 * PC1 anyway; the other components cost nine more dot products). The batch detector then reads
 * k doubles a row instead of the whole vector: for a 100,000-row window, 8 MB instead of 200 MB
 * out of the database. Rows without scores (the worker behind, another reference version) are
 * projected from their vectors as before, so this table is a cache, never the truth.
 */
export const embeddingScores = pgTable(
  "embedding_scores",
  {
    referenceSetId: bigint("reference_set_id", { mode: "number" })
      .notNull()
      .references(() => referenceSets.id, { onDelete: "cascade" }),
    /** The embedding's `seq` (no foreign key: `embeddings` is partitioned by day). */
    seq: bigint("seq", { mode: "number" }).notNull(),
    /**
     * The reference version's stream, for deleting a stream's scores by seq (privacy erasure,
     * retention). No foreign key (dropped in migration 0016): the row already goes with its
     * stream through `reference_set_id` (reference versions cascade from their stream), and
     * checking a second key on every row cost the worker's PostgreSQL ~5 µs per embedding.
     */
    streamId: bigint("stream_id", { mode: "number" }).notNull(),
    /** Scores on PC1…PCk, exactly as `projectPca` computes them (float8: results must not move). */
    scores: doublePrecision("scores").array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.referenceSetId, t.seq] })],
);
