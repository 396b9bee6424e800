import { eq, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { referenceSets } from "../../db/schema/reference-set.ts";
import { sampleIndices } from "../embeddings/window.ts";
import { knnThresholdOf, nearestOtherReference } from "./knn.ts";

/**
 * Measures and stores a set's kNN novelty threshold: the 99th percentile, over up to `queries`
 * of its own vectors (seeded choice), of the cosine distance to the nearest *other* vector of the
 * set, found through the set's HNSW index, the same index and approximation the batch check uses.
 */
export async function storeKnnThreshold(
  db: Executor,
  setId: number,
  dimension: number,
  queries: number,
  seed: number,
): Promise<number | null> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT id::text AS id FROM reference_embeddings WHERE reference_set_id = ${setId}
        ORDER BY reference_embeddings.id`,
  );
  const ids = sampleIndices(rows.length, queries, seed ^ 0x6b6e6e).map((i) => Number(rows[i]?.id));
  const threshold = knnThresholdOf(await nearestOtherReference(db, setId, dimension, ids));
  await db.update(referenceSets).set({ knnThreshold: threshold }).where(eq(referenceSets.id, setId));
  return threshold;
}
