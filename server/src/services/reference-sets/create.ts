import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/database.ts";
import { ensureReferenceIndex, HNSW_MAX_DIMENSION } from "../../db/reference-index.ts";
import { referenceEmbeddings } from "../../db/schema/reference-embedding.ts";
import { type ReferenceProfileJson, referenceSets } from "../../db/schema/reference-set.ts";
import { streams } from "../../db/schema/stream.ts";
import { formatVectorText } from "../../db/schema/vector-column.ts";
import { FacedriftError } from "../../errors.ts";

export interface NewReferenceSet {
  streamId: number;
  /** The reference vectors (each of the stream's dimension). */
  vectors: readonly ArrayLike<number>[];
  params?: Record<string, unknown>;
  /** The fitted `ReferenceProfile` (stats), stored whole. */
  profile?: ReferenceProfileJson;
  calibration?: Record<string, unknown>;
  knnThreshold?: number;
  description?: string;
  /** Make this the stream's active set (deactivating the previous one). Default true. */
  activate?: boolean;
}

/**
 * Values per INSERT: formatting vectors as text is synchronous work on the thread that answers
 * HTTP, so a statement carries about 32,768 numbers (256 rows at 128-D, 64 at 512-D) rather than a
 * fixed 500 rows, which at 512-D held `/healthz` for over 100 ms per statement.
 */
const INSERT_VALUES = 32_768;

/**
 * Stores a reference set with the next version number for its stream and, by default, makes it
 * the active one; both in one transaction, so readers see the old set or the new one, never none
 * or two. Builds the set's HNSW index after loading its vectors (`db/reference-index.ts`).
 */
export async function createReferenceSet(
  db: Db,
  input: NewReferenceSet,
): Promise<{ id: number; version: number }> {
  const [stream] = await db
    .select({ modelId: streams.modelId, modelVersion: streams.modelVersion, dimension: streams.dimension })
    .from(streams)
    .where(eq(streams.id, input.streamId));
  if (!stream) throw new FacedriftError("not_found", "the stream no longer exists");
  const dimension = Number(stream.dimension);
  input.vectors.forEach((v, i) => {
    if (v.length !== dimension) {
      throw new FacedriftError(
        "invalid_request",
        `reference vector ${i} has ${v.length} dimensions, not ${dimension}`,
        {
          field: `vectors[${i}]`,
        },
      );
    }
  });
  const activate = input.activate ?? true;
  return db.transaction(async (tx) => {
    // Serialize version numbering per stream.
    await tx
      .select({ id: streams.id })
      .from(streams)
      .where(eq(streams.id, input.streamId))
      .for("no key update");
    const [last] = await tx
      .select({ v: sql<number>`coalesce(max(${referenceSets.version}), 0)::int` })
      .from(referenceSets)
      .where(eq(referenceSets.streamId, input.streamId));
    const version = Number(last?.v ?? 0) + 1;
    if (activate) {
      await tx
        .update(referenceSets)
        .set({ active: false })
        .where(and(eq(referenceSets.streamId, input.streamId), eq(referenceSets.active, true)));
    }
    const [row] = await tx
      .insert(referenceSets)
      .values({
        streamId: input.streamId,
        version,
        modelId: stream.modelId,
        modelVersion: stream.modelVersion,
        dimension,
        active: activate,
        activatedAt: activate ? sql`now()` : null,
        params: input.params ?? {},
        profile: input.profile,
        calibration: input.calibration,
        knnThreshold: input.knnThreshold,
        description: input.description,
      })
      .returning({ id: referenceSets.id });
    const id = Number(row?.id);
    const rowsPerInsert = Math.max(16, Math.floor(INSERT_VALUES / dimension));
    for (let start = 0; start < input.vectors.length; start += rowsPerInsert) {
      const chunk = input.vectors.slice(start, start + rowsPerInsert);
      await tx
        .insert(referenceEmbeddings)
        .values(chunk.map((v) => ({ referenceSetId: id, dimension, embedding: formatVectorText(v) })));
    }
    if (dimension <= HNSW_MAX_DIMENSION) await ensureReferenceIndex(tx, id, dimension);
    return { id, version };
  });
}
