/**
 * @module
 * A check window as the batch detector needs it: each row's scores on the active reference's
 * components and the last rows' vectors (what MMD compares), without reading every vector.
 * Scores come from the streaming worker's cache (`embedding_scores`); rows it has not scored
 * under this reference version are projected here from their vectors. Given the same rows, the
 * result is the same as projecting the whole window (`projectPca` scores each row alone).
 *
 * Why: reading a 100,000-row window of 512-D vectors moves 200 MB out of the database; on PGlite
 * that alone was ~2 s. Its scores are 8 MB (`server/bench/batch.bench.ts`).
 */
import { type PcaModel, projectPca } from "@facedrift/stats";
import type { Database } from "../../db/database.ts";
import { copyKeyedVectors, copyOut } from "../../db/vector-copy.ts";
import { FacedriftError } from "../../errors.ts";
import { checkWindow, type EmbeddingWindow, MAX_WINDOW_ROWS, type WindowData, windowSpan } from "./window.ts";

export interface ScoredWindow extends Omit<WindowData, "x" | "dimension"> {
  /** n × k scores, row-major, rows in seq order. */
  scores: Float64Array;
  /** The last `recentRows` embeddings, row-major. */
  recent: Float32Array;
  /** Rows whose scores came from the cache (the rest were projected here). */
  cached: number;
}

/**
 * Reads `window` of a (tenant-checked) stream: seqs and cached scores in one binary COPY, then
 * the vectors of unscored rows and of the last `recentRows(n)` rows.
 */
export async function readScoredWindow(
  database: Database,
  stream: { id: number; dimension: number },
  reference: { id: number; pca: PcaModel },
  window: EmbeddingWindow,
  recentRows: (n: number) => number,
): Promise<ScoredWindow> {
  checkWindow(window);
  const streamId = Math.trunc(stream.id);
  const k = reference.pca.nComponents;
  // Values are inlined because COPY takes no parameters; all are integers or ISO strings made here.
  const rows =
    "last" in window
      ? `SELECT seq FROM embeddings WHERE stream_id = ${streamId} ORDER BY seq DESC LIMIT ${window.last}`
      : `SELECT seq FROM embeddings WHERE stream_id = ${streamId}
           AND received_at >= '${window.from.toISOString()}' AND received_at < '${window.to.toISOString()}'
           ORDER BY seq DESC LIMIT ${MAX_WINDOW_ROWS}`;
  const bytes = await copyOut(
    database,
    `SELECT w.seq, s.scores FROM (${rows}) AS w
       LEFT JOIN embedding_scores AS s ON s.reference_set_id = ${Math.trunc(reference.id)} AND s.seq = w.seq
       ORDER BY w.seq`,
  );
  if (!bytes) throw new FacedriftError("internal", `the ${database.driver} database cannot COPY out`);
  const { keys, scores, missing } = parseScoreCopy(bytes, k);
  const n = keys.length;

  if (missing.length > 0) {
    const missed = await vectorsOf(database, streamId, stream.dimension, keys, missing);
    const projected = projectPca(reference.pca, missed, missing.length);
    missing.forEach((row, i) => {
      scores.set(projected.subarray(i * k, (i + 1) * k), row * k);
    });
  }
  const tail = Array.from({ length: recentRows(n) }, (_, i) => n - recentRows(n) + i);
  const recent = await vectorsOf(database, streamId, stream.dimension, keys, tail);
  const fromSeq = keys[0] ?? null;
  const toSeq = keys.at(-1) ?? null;
  const span =
    "from" in window
      ? { windowStart: window.from, windowEnd: window.to }
      : await windowSpan(database, streamId, fromSeq, toSeq);
  return { keys, n, scores, recent, cached: n - missing.length, fromSeq, toSeq, ...span };
}

/** The vectors of `rows` (indices into `keys`, ascending), in that order. */
async function vectorsOf(
  database: Database,
  streamId: number,
  dimension: number,
  keys: number[],
  rows: number[],
): Promise<Float32Array> {
  if (rows.length === 0) return new Float32Array(0);
  const seqs = rows.map((row) => keys[row] as number);
  // Ascending seqs in, ascending seqs out: the rows come back in the order they were asked for.
  const read = await copyKeyedVectors(
    database,
    `SELECT seq, embedding FROM embeddings WHERE stream_id = ${streamId}
       AND seq = ANY('{${seqs.join(",")}}'::bigint[]) ORDER BY seq`,
    dimension,
  );
  if (read.n !== rows.length) {
    // Deleted between the two reads (a privacy deletion, say): the window is not what was read.
    throw new FacedriftError(
      "conflict",
      "embeddings of the window were deleted while it was read; run again",
    );
  }
  return read.x;
}

/**
 * Parses the binary COPY of `(seq int8, scores float8[] or NULL)` rows: keys, scores (n × k,
 * zero where missing) and the rows without scores, in the stream's order.
 */
export function parseScoreCopy(
  bytes: Uint8Array,
  k: number,
): { keys: number[]; scores: Float64Array; missing: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 11 + 4;
  offset += 4 + view.getInt32(offset);
  const keys: number[] = [];
  const rows: (number | null)[] = []; // offset of each row's first float8, or null
  while (view.getInt16(offset) !== -1) {
    if (view.getInt16(offset) !== 2 || view.getInt32(offset + 2) !== 8) {
      throw new FacedriftError("internal", "score COPY row is not (int8, float8[])");
    }
    keys.push(Number(view.getBigInt64(offset + 6)));
    const length = view.getInt32(offset + 14);
    offset += 18;
    if (length === -1) {
      rows.push(null);
      continue;
    }
    // ndim, has-null flag, element type, then (length, lower bound) per dimension.
    if (view.getInt32(offset) !== 1 || view.getInt32(offset + 12) !== k) {
      throw new FacedriftError("internal", `cached scores do not have ${k} components`);
    }
    rows.push(offset + 20);
    offset += length;
  }
  const n = keys.length;
  const scores = new Float64Array(n * k);
  const missing: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = rows[i];
    if (at === null || at === undefined) {
      missing.push(i);
      continue;
    }
    // Each element: int32 length (8), then the big-endian float8.
    for (let j = 0; j < k; j++) scores[i * k + j] = view.getFloat64(at + j * 12 + 4);
  }
  return { keys, scores, missing };
}
