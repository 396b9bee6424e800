import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable } from "drizzle-orm/pg-core";
import { referenceSets } from "./reference-set.ts";
import { vector } from "./vector-column.ts";

/**
 * The vectors of a reference set. HNSW needs a fixed dimension, so the column is untyped and each
 * set gets a partial expression index, `USING hnsw ((embedding::vector(D)) vector_cosine_ops)
 * WHERE reference_set_id = S`, built when the set is stored (`db/reference-index.ts`). A
 * nearest-neighbour query must repeat both the cast and the predicate to use it.
 */
export const referenceEmbeddings = pgTable(
  "reference_embeddings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    referenceSetId: bigint("reference_set_id", { mode: "number" })
      .notNull()
      .references(() => referenceSets.id, { onDelete: "cascade" }),
    dimension: integer("dimension").notNull(),
    embedding: vector("embedding").notNull(),
  },
  (t) => [
    index("reference_embeddings_set_idx").on(t.referenceSetId),
    check("reference_embeddings_dimension_check", sql`vector_dims(${t.embedding}) = ${t.dimension}`),
  ],
);
