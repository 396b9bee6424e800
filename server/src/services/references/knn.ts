import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";

/**
 * kNN novelty against a reference set's HNSW index (`db/reference-index.ts`): the cosine
 * distance from query vectors to their nearest reference vector. One statement per call: the
 * queries never leave the database (a `LATERAL` nearest-neighbour scan per query row), so no
 * vector travels as text. The set id and dimension are inlined, as the partial index needs.
 */

function lateralNearest(setId: number, dimension: number, query: string) {
  const d = Math.trunc(dimension);
  const s = Math.trunc(setId);
  return `CROSS JOIN LATERAL (
      SELECT (r.embedding::vector(${d}) <=> ${query}::vector(${d}))::float8 AS distance
      FROM reference_embeddings r
      WHERE r.reference_set_id = ${s}
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
    sql`SELECT n.distance FROM embeddings q ${sql.raw(lateralNearest(setId, dimension, "q.embedding"))}
        WHERE q.stream_id = ${streamId} AND q.seq = ANY(${pgArrayLiteral(seqs)}::bigint[])`,
  );
  return rows.map((r) => Number(r.distance));
}
