import { customType } from "drizzle-orm/pg-core";

/**
 * An untyped pgvector `vector` column (no fixed dimension).
 *
 * drizzle's built-in `vector()` requires `dimensions`, but a stream picks its dimension on first
 * use (128-D, 512-D … models share one table), so the column is declared as plain `vector` and
 * every table that holds one also stores `dimension` with `CHECK (vector_dims(col) = dimension)`.
 * Indexes that need a fixed dimension (HNSW) are partial expression indexes, one per reference set:
 * see `db/reference-index.ts`.
 *
 * Values travel in pgvector's text form `[1,2,3]`; `toDriver` accepts a ready string so the
 * ingestion path can format vectors once without re-parsing.
 */
export const vector = customType<{ data: number[] | string; driverData: string }>({
  dataType: () => "vector",
  toDriver: (value) => (typeof value === "string" ? value : `[${value.join(",")}]`),
  fromDriver: (value) => value,
});

/** Parses pgvector's text form `[1,2,3]` into numbers. */
export function parseVectorText(text: string): Float32Array {
  const inner = text.trim().slice(1, -1);
  if (inner.length === 0) return new Float32Array(0);
  const parts = inner.split(",");
  const out = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
  return out;
}

/** Formats numbers as pgvector text. */
export function formatVectorText(values: ArrayLike<number>): string {
  return `[${Array.prototype.join.call(values, ",")}]`;
}
