/**
 * The kNN novelty threshold, calibrated on held-out data. A reference holds several photos per
 * person, so a photo's nearest *other* reference row is usually the same person, and the 99th
 * percentile of those distances sits below almost every new person's distance: the novelty
 * rate is then near its ceiling on clean windows and cannot rise under a shift
 * (docs/detection-quality.md, "The split-half calibrations share people"). Here each query row's
 * nearest neighbour is searched only among rows of *other* groups — other people when the
 * embeddings name one, else other contiguous time blocks (a person in front of the camera stays
 * within one block) — so the threshold measures how far a new person lies from the reference.
 *
 * @example
 * ```ts
 * const groups = timeBlocks(n, 10);
 * heldOutKnnThreshold(x, n, d, groups, storedRows, { queries: 1000, seed: 1 }).threshold;
 * ```
 */
import { kernels } from "@facedrift/wasm-kernels";
import type { Matrix } from "../matrix-input.ts";
import { quantileSorted } from "../numeric/quantile.ts";
import { seededRng } from "../numeric/random.ts";

export const KNN_THRESHOLD_QUANTILE = 0.99;
export const DEFAULT_TIME_BLOCKS = 10;

/** Rows 0..n−1 (in time order) cut into `blocks` contiguous blocks of near-equal size. */
export function timeBlocks(n: number, blocks = DEFAULT_TIME_BLOCKS): Int32Array {
  if (!Number.isInteger(blocks) || blocks < 2)
    throw new RangeError(`blocks must be an integer ≥ 2, got ${blocks}`);
  return Int32Array.from({ length: n }, (_, i) => Math.floor((i * blocks) / n));
}

/** One group per distinct label; null when a row has none or all rows share one (no split possible). */
export function labelGroups(labels: readonly (string | null | undefined)[]): Int32Array | null {
  const ids = new Map<string, number>();
  const groups = new Int32Array(labels.length);
  for (const [i, label] of labels.entries()) {
    if (label === null || label === undefined || label === "") return null;
    let id = ids.get(label);
    if (id === undefined) {
      id = ids.size;
      ids.set(label, id);
    }
    groups[i] = id;
  }
  return ids.size >= 2 ? groups : null;
}

export interface HeldOutKnnOptions {
  /** Query rows (default 1,000, a seeded choice among all rows). */
  queries?: number;
  quantile?: number;
  seed?: number;
}

/**
 * The `quantile` (default 0.99) of the cosine distance from query rows of `x` (n × d) to their
 * nearest row among `candidates` (the rows the novelty check searches: the stored subsample) that
 * belongs to another group. Exact search (SIMD dot products on unit rows); the batch check's HNSW
 * search is approximate, so it can only report a distance as large or larger.
 */
export function heldOutKnnThreshold(
  x: Matrix,
  n: number,
  d: number,
  groups: ArrayLike<number>,
  candidates: readonly number[],
  options: HeldOutKnnOptions = {},
): { threshold: number; queries: number } | null {
  if (x.length !== n * d) throw new RangeError(`X has ${x.length} values, expected ${n}×${d}`);
  if (groups.length !== n) throw new RangeError(`groups has ${groups.length} entries, expected ${n}`);
  const queryRows = pickQueries(n, options.queries ?? 1000, options.seed ?? 0);
  const pool = unitRows(x, d, candidates);
  const distances: number[] = [];
  // Queries in chunks: chunk × candidates dot products at a time (at most ~16 MB).
  const chunk = Math.max(1, Math.floor(2_000_000 / Math.max(1, candidates.length)));
  for (let start = 0; start < queryRows.length; start += chunk) {
    const rows = queryRows.slice(start, start + chunk);
    const q = unitRows(x, d, rows);
    const dots = kernels().project(q, rows.length, d, pool, candidates.length);
    rows.forEach((r, i) => {
      let best = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < candidates.length; c++) {
        if (groups[candidates[c] as number] === groups[r]) continue;
        const dot = dots[i * candidates.length + c] as number;
        if (dot > best) best = dot;
      }
      if (best > Number.NEGATIVE_INFINITY) distances.push(1 - best);
    });
  }
  if (distances.length === 0) return null;
  const sorted = Float64Array.from(distances).sort();
  return {
    threshold: quantileSorted(sorted, options.quantile ?? KNN_THRESHOLD_QUANTILE),
    queries: distances.length,
  };
}

/**
 * The listed rows scaled to unit length, so a dot product is the cosine similarity pgvector's
 * `<=>` uses. Only these rows are copied: a reference can be 200,000 rows.
 */
function unitRows(x: Matrix, d: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (x[r * d + t] as number) ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let t = 0; t < d; t++) out[i * d + t] = (x[r * d + t] as number) * inv;
  });
  return out;
}

function pickQueries(n: number, count: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (count >= n) return all;
  const rng = seededRng(seed);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}
