import { and, desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { referenceSets } from "../../db/schema/reference-set.ts";
import { FacedriftError } from "../../errors.ts";

/**
 * A reference version as listings show it: what it is, how it was made and calibrated, without
 * its vectors or the bulky profile arrays (an export carries those).
 */
export interface ReferenceView {
  id: number;
  version: number;
  active: boolean;
  created_at: string;
  model: { id: string; version: string };
  dimension: number;
  explained_variance_ratio: number[];
  calibration: Record<string, unknown> | null;
  knn_threshold: number | null;
  description: string | null;
  params: Record<string, unknown>;
  vector_count: number;
}

const columns = {
  id: referenceSets.id,
  version: referenceSets.version,
  active: referenceSets.active,
  createdAt: referenceSets.createdAt,
  modelId: referenceSets.modelId,
  modelVersion: referenceSets.modelVersion,
  dimension: referenceSets.dimension,
  explained: sql<unknown>`${referenceSets.profile} -> 'pca' -> 'explainedVarianceRatio'`,
  calibration: referenceSets.calibration,
  knnThreshold: referenceSets.knnThreshold,
  description: referenceSets.description,
  params: referenceSets.params,
  vectorCount: sql<number>`(SELECT count(*)::int FROM reference_embeddings e WHERE e.reference_set_id = "reference_sets"."id")`,
};

type Row = { [K in keyof typeof columns]: unknown };

function toView(row: Row): ReferenceView {
  const explained = typeof row.explained === "string" ? JSON.parse(row.explained) : row.explained;
  return {
    id: Number(row.id),
    version: Number(row.version),
    active: Boolean(row.active),
    created_at: new Date(row.createdAt as string | Date).toISOString(),
    model: { id: String(row.modelId), version: String(row.modelVersion) },
    dimension: Number(row.dimension),
    explained_variance_ratio: Array.isArray(explained) ? explained.map(Number) : [],
    calibration: (row.calibration as Record<string, unknown> | null) ?? null,
    knn_threshold: row.knnThreshold === null ? null : Number(row.knnThreshold),
    description: (row.description as string | null) ?? null,
    params: (row.params as Record<string, unknown>) ?? {},
    vector_count: Number(row.vectorCount),
  };
}

/** A stream's reference versions, newest first. `streamId` must already be tenant-checked. */
export async function listReferences(db: Executor, streamId: number): Promise<ReferenceView[]> {
  const rows = await db
    .select(columns)
    .from(referenceSets)
    .where(eq(referenceSets.streamId, streamId))
    .orderBy(desc(referenceSets.version));
  return rows.map(toView);
}

/** One version of a stream's reference; `not_found` naming the version otherwise. */
export async function getReference(db: Executor, streamId: number, version: number): Promise<ReferenceView> {
  const [row] = await db
    .select(columns)
    .from(referenceSets)
    .where(and(eq(referenceSets.streamId, streamId), eq(referenceSets.version, version)));
  if (!row) {
    throw new FacedriftError("not_found", `the stream has no reference version ${version}`, {
      field: "version",
    });
  }
  return toView(row);
}

/**
 * Makes `version` the stream's active reference (the previous one stays, inactive). One
 * transaction, so the stream always has exactly one active version once it has any.
 */
export async function activateReference(
  db: Executor,
  streamId: number,
  version: number,
): Promise<ReferenceView> {
  await getReference(db, streamId, version);
  await db.transaction(async (tx) => {
    await tx
      .update(referenceSets)
      .set({ active: false })
      .where(and(eq(referenceSets.streamId, streamId), eq(referenceSets.active, true)));
    await tx
      .update(referenceSets)
      .set({ active: true, activatedAt: sql`now()` })
      .where(and(eq(referenceSets.streamId, streamId), eq(referenceSets.version, version)));
  });
  return getReference(db, streamId, version);
}
