import { seededRng } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../../db/database.ts";
import { copyKeyedVectors, type KeyedVectors } from "../../db/vector-copy.ts";
import { FacedriftError } from "../../errors.ts";

/**
 * Which of a stream's stored embeddings a check (or a reference fit) reads: the latest N by seq,
 * or those *received* in [from, to). Receive time, not the client's event time: partitions are
 * by receive day so the window prunes them, and a late or mis-clocked client cannot change a
 * window after the fact, which keeps backfilled runs reproducible.
 */
export type EmbeddingWindow = { last: number } | { from: Date; to: Date };

/** Most rows a time window reads (the latest are kept): 200,000 × 512-D is 400 MB of float32. */
export const MAX_WINDOW_ROWS = 200_000;

export interface WindowData extends KeyedVectors {
  fromSeq: number | null;
  toSeq: number | null;
  windowStart: Date | null;
  windowEnd: Date | null;
}

export function checkWindow(window: EmbeddingWindow): void {
  if ("last" in window) {
    if (!Number.isInteger(window.last) || window.last < 2 || window.last > MAX_WINDOW_ROWS) {
      throw new FacedriftError("invalid_request", `last must be an integer in 2..${MAX_WINDOW_ROWS}`, {
        field: "last",
      });
    }
    return;
  }
  const { from, to } = window;
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) {
    throw new FacedriftError("invalid_request", "from is not a valid time", { field: "from" });
  }
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) {
    throw new FacedriftError("invalid_request", "to is not a valid time", { field: "to" });
  }
  if (to.getTime() <= from.getTime()) {
    throw new FacedriftError("invalid_request", "to must be after from", { field: "to" });
  }
}

/** Reads a window's vectors (seq order) over the binary COPY path. `streamId` must be tenant-checked. */
export async function readWindow(
  database: Database,
  streamId: number,
  dimension: number,
  window: EmbeddingWindow,
): Promise<WindowData> {
  checkWindow(window);
  const stream = Math.trunc(streamId);
  // Values are inlined because COPY takes no parameters; all are integers or ISO strings made here.
  const inner =
    "last" in window
      ? `SELECT seq, embedding FROM embeddings WHERE stream_id = ${stream} ORDER BY seq DESC LIMIT ${window.last}`
      : `SELECT seq, embedding FROM embeddings WHERE stream_id = ${stream}
           AND received_at >= '${window.from.toISOString()}' AND received_at < '${window.to.toISOString()}'
           ORDER BY seq DESC LIMIT ${MAX_WINDOW_ROWS}`;
  // The rows come newest first (the LIMIT needs that order) and are put back in seq order while
  // parsing, rather than by a second sort of 2 kB rows in the database. Measured on PGlite, the
  // COPY of 100,000 512-D rows costs ~1.9 s of CPU however it is ordered: producing and moving
  // 200 MB through WebAssembly is the floor of this path (`server/bench/batch.bench.ts`).
  const data = await copyKeyedVectors(database, inner, dimension, "reversed");
  const fromSeq = data.keys[0] ?? null;
  const toSeq = data.keys.at(-1) ?? null;
  const span =
    "from" in window
      ? { windowStart: window.from, windowEnd: window.to }
      : await windowSpan(database, stream, fromSeq, toSeq);
  return { ...data, fromSeq, toSeq, ...span };
}

/** `count` distinct indices of 0..n-1, ascending, chosen with `seed` (all when count ≥ n). */
export function sampleIndices(n: number, count: number, seed: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  // Partial Fisher–Yates over an index array: exact uniform choice without replacement.
  const rng = seededRng(seed);
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
  }
  return pool.slice(0, count).sort((a, b) => a - b);
}

/** When the rows of a "last N" window were received: its first and last receive times. */
export async function windowSpan(
  database: Database,
  streamId: number,
  fromSeq: number | null,
  toSeq: number | null,
): Promise<{ windowStart: Date | null; windowEnd: Date | null }> {
  if (fromSeq === null || toSeq === null) return { windowStart: null, windowEnd: null };
  const [span] = await queryRows<{ first: string | null; last: string | null }>(
    database.db,
    sql`SELECT min(received_at)::text AS first, max(received_at)::text AS last FROM embeddings
        WHERE stream_id = ${streamId} AND seq BETWEEN ${fromSeq} AND ${toSeq}`,
  );
  return {
    windowStart: span?.first ? new Date(span.first) : null,
    windowEnd: span?.last ? new Date(span.last) : null,
  };
}

/**
 * The event-time span (the embeddings' own `ts`) of a stream's rows `fromSeq..toSeq`: what a
 * finding about them is "about", whenever they arrived (a batch posted in seconds can hold hours
 * of faces).
 */
export async function eventSpan(
  database: Database,
  streamId: number,
  fromSeq: number | null,
  toSeq: number | null,
): Promise<{ from: Date; to: Date } | null> {
  if (fromSeq === null || toSeq === null) return null;
  const [span] = await queryRows<{ first: string | null; last: string | null }>(
    database.db,
    sql`SELECT min(event_time)::text AS first, max(event_time)::text AS last FROM embeddings
        WHERE stream_id = ${streamId} AND seq BETWEEN ${fromSeq} AND ${toSeq}`,
  );
  return span?.first && span.last ? { from: new Date(span.first), to: new Date(span.last) } : null;
}
