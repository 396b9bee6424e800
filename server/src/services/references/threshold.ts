import { eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { referenceSets } from "../../db/schema/reference-set.ts";

/**
 * Stores a set's kNN novelty threshold, calibrated at fit time on held-out data
 * (`heldOutKnnThreshold` in stats, called from `fit.ts`): the 99th percentile of the cosine
 * distance from reference rows to their nearest stored vector of another person or time block.
 */
export async function storeKnnThreshold(
  db: Executor,
  setId: number,
  threshold: number | null,
): Promise<number | null> {
  await db.update(referenceSets).set({ knnThreshold: threshold }).where(eq(referenceSets.id, setId));
  return threshold;
}
