import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { referenceEmbeddings } from "../../db/schema/reference-embedding.ts";
import { referenceSets } from "../../db/schema/reference-set.ts";
import { parseVectorText } from "../../db/schema/vector-column.ts";

export type ReferenceSetRow = typeof referenceSets.$inferSelect;

/** The stream's active reference set (without its vectors), or null if none was made yet. */
export async function getActiveReferenceSet(db: Executor, streamId: number): Promise<ReferenceSetRow | null> {
  const [row] = await db
    .select()
    .from(referenceSets)
    .where(and(eq(referenceSets.streamId, streamId), eq(referenceSets.active, true)));
  return row ?? null;
}

/** The vectors of a reference set, in insertion order. */
export async function loadReferenceVectors(db: Executor, referenceSetId: number): Promise<Float32Array[]> {
  const rows = await db
    .select({ embedding: referenceEmbeddings.embedding })
    .from(referenceEmbeddings)
    .where(eq(referenceEmbeddings.referenceSetId, referenceSetId))
    .orderBy(asc(referenceEmbeddings.id));
  return rows.map((r) => parseVectorText(String(r.embedding)));
}
