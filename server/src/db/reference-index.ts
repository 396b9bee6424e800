import { sql } from "drizzle-orm";
import type { Executor } from "./database.ts";

/** pgvector's HNSW limit for the `vector` type. */
export const HNSW_MAX_DIMENSION = 2000;

export function referenceIndexName(referenceSetId: number): string {
  return `reference_embeddings_hnsw_s${Math.trunc(referenceSetId)}`;
}

/**
 * Creates the HNSW (cosine) index over one reference set's vectors, if missing.
 *
 * HNSW needs a typed `vector(D)`, and the column is untyped because streams differ in D. Each
 * reference set therefore gets a partial expression index, `USING hnsw ((embedding::vector(D))
 * vector_cosine_ops) WHERE reference_set_id = S`. One graph per set, not one per dimension:
 * a nearest-neighbour search is always within one set, and an HNSW scan that must filter out
 * other sets' vectors afterwards can return fewer than k rows. Sets are few (versions of a
 * reference per stream), so are the indexes; `dropReferenceIndex` removes one with its set.
 * Build it after loading the vectors: bulk-building is much faster than inserting into a graph.
 */
export async function ensureReferenceIndex(
  executor: Executor,
  referenceSetId: number,
  dimension: number,
): Promise<void> {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > HNSW_MAX_DIMENSION) {
    throw new RangeError(`HNSW needs a dimension in 1..${HNSW_MAX_DIMENSION}, got ${dimension}`);
  }
  const set = Math.trunc(referenceSetId);
  await executor.execute(
    sql.raw(
      `CREATE INDEX IF NOT EXISTS "${referenceIndexName(set)}" ON "reference_embeddings" ` +
        `USING hnsw (("embedding"::vector(${dimension})) vector_cosine_ops) WHERE "reference_set_id" = ${set}`,
    ),
  );
}

export async function dropReferenceIndex(executor: Executor, referenceSetId: number): Promise<void> {
  await executor.execute(sql.raw(`DROP INDEX IF EXISTS "${referenceIndexName(referenceSetId)}"`));
}

/**
 * The `k` vectors of a reference set nearest (cosine distance) to `query` (pgvector text), as
 * `{ id, distance }` rows, written so the planner can use the set's HNSW index: the same cast,
 * and the set id inlined rather than a parameter so that the partial index's predicate is
 * provable even for a generic (prepared) plan.
 */
export function nearestReferenceSql(referenceSetId: number, dimension: number, query: string, k: number) {
  const d = sql.raw(String(Math.trunc(dimension)));
  const s = sql.raw(String(Math.trunc(referenceSetId)));
  return sql`SELECT id::int AS id, (embedding::vector(${d}) <=> ${query}::vector(${d}))::float8 AS distance
    FROM reference_embeddings
    WHERE reference_set_id = ${s}
    ORDER BY embedding::vector(${d}) <=> ${query}::vector(${d})
    LIMIT ${k}`;
}
