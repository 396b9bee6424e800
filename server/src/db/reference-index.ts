import { sql } from "drizzle-orm";
import type { Executor } from "./database.ts";

export function referenceIndexName(dimension: number): string {
  return `reference_embeddings_hnsw_d${dimension}`;
}

/**
 * Creates the HNSW (cosine) index for reference vectors of one dimension, if missing.
 *
 * HNSW indexes need a typed `vector(D)`; the column is untyped because streams differ in D, so
 * each dimension gets a partial expression index over `embedding::vector(D)` restricted to
 * `dimension = D`. Call this when storing the first reference set of a dimension. Queries must
 * use the same expression and predicate, as `nearestReferenceSql` does.
 */
export async function ensureReferenceIndex(executor: Executor, dimension: number): Promise<void> {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 2000) {
    // pgvector's HNSW supports up to 2,000 dimensions for `vector`.
    throw new RangeError(`HNSW needs a dimension in 1..2000, got ${dimension}`);
  }
  await executor.execute(
    sql.raw(
      `CREATE INDEX IF NOT EXISTS "${referenceIndexName(dimension)}" ON "reference_embeddings" ` +
        `USING hnsw (("embedding"::vector(${dimension})) vector_cosine_ops) WHERE "dimension" = ${dimension}`,
    ),
  );
}

/**
 * The `k` reference vectors of a set nearest (cosine) to `query` (pgvector text), written so the
 * planner can use the per-dimension HNSW index. Returns `{ id, distance }` rows.
 */
export function nearestReferenceSql(referenceSetId: number, dimension: number, query: string, k: number) {
  // The dimension is inlined, not a parameter, so the planner can prove the partial index's
  // predicate even for a generic (prepared) plan.
  const d = sql.raw(String(Math.trunc(dimension)));
  return sql`SELECT id::int AS id, (embedding::vector(${d}) <=> ${query}::vector(${d}))::float8 AS distance
    FROM reference_embeddings
    WHERE dimension = ${d} AND reference_set_id = ${referenceSetId}
    ORDER BY embedding::vector(${d}) <=> ${query}::vector(${d})
    LIMIT ${k}`;
}
