import { quantileSorted } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";

/**
 * kNN novelty against a reference set's HNSW index (`db/reference-index.ts`): the cosine
 * distance from query vectors to their nearest reference vector. One statement per call: the
 * queries never leave the database (a `LATERAL` nearest-neighbour scan per query row), so no
 * vector travels as text. The set id and dimension are inlined, as the partial index needs.
 */

/** The reference's own novelty threshold: this quantile of nearest-other-neighbour distances. */
export const KNN_THRESHOLD_QUANTILE = 0.99;

function lateralNearest(setId: number, dimension: number, query: string, excludeSelf: boolean) {
  const d = Math.trunc(dimension);
  const s = Math.trunc(setId);
  return `CROSS JOIN LATERAL (
      SELECT (r.embedding::vector(${d}) <=> ${query}::vector(${d}))::float8 AS distance
      FROM reference_embeddings r
      WHERE r.reference_set_id = ${s}${excludeSelf ? " AND r.id <> q.id" : ""}
      ORDER BY r.embedding::vector(${d}) <=> ${query}::vector(${d})
      LIMIT 1) AS n`;
}

/** Distance of each listed stream embedding (by seq) to its nearest reference vector. */
export async function nearestForEmbeddings(
  db: Executor,
  setId: number,
  dimension: number,
  streamId: number,
  seqs: readonly number[],
): Promise<number[]> {
  if (seqs.length === 0) return [];
  const rows = await queryRows<{ distance: number }>(
    db,
    sql`SELECT n.distance FROM embeddings q ${sql.raw(lateralNearest(setId, dimension, "q.embedding", false))}
        WHERE q.stream_id = ${streamId} AND q.seq = ANY(${pgArrayLiteral(seqs)}::bigint[])`,
  );
  return rows.map((r) => Number(r.distance));
}

/** Distance of each listed reference vector (by id) to its nearest *other* vector of the set. */
export async function nearestOtherReference(
  db: Executor,
  setId: number,
  dimension: number,
  ids: readonly number[],
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<{ distance: number }>(
    db,
    sql`SELECT n.distance FROM reference_embeddings q ${sql.raw(lateralNearest(setId, dimension, "q.embedding", true))}
        WHERE q.reference_set_id = ${setId} AND q.id = ANY(${pgArrayLiteral(ids)}::bigint[])`,
  );
  return rows.map((r) => Number(r.distance));
}

/** The `KNN_THRESHOLD_QUANTILE` of `distances` (null when there are none). */
export function knnThresholdOf(distances: readonly number[]): number | null {
  if (distances.length === 0) return null;
  return quantileSorted(
    Float64Array.from(distances).sort((a, b) => a - b),
    KNN_THRESHOLD_QUANTILE,
  );
}
