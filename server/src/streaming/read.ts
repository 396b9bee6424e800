/**
 * @module
 * How the streaming detector reads the next embeddings of a stream: seq and vector only, in seq
 * order. Two readers, one shape. The binary-COPY reader is the one servers use: printing 512
 * floats as text in the database and parsing them in JS capped the worker near 700
 * embeddings/s on PGlite (`server/bench/streaming.bench.ts`). The text reader goes through the
 * consumer API's `listEmbeddings`; it works on any table whose `embedding` prints as `[…]`.
 */
import { sql } from "drizzle-orm";
import { type Database, type Db, type Executor, queryRows } from "../db/database.ts";
import { copyKeyedVectors, type PlannerSettings } from "../db/vector-copy.ts";
import { listEmbeddings } from "../services/embeddings/list.ts";

/** The embeddings after a cursor: what one batch consumes. */
export interface StreamSlice {
  seqs: number[];
  /** seqs.length × dimension, row-major. */
  x: Float32Array;
  /** The slice was full: more embeddings are probably waiting. */
  hasMore: boolean;
}

/**
 * Reads up to `limit` embeddings of `streamId` with `seq > afterSeq`, oldest first. `purpose`
 * says whether this is the next batch (the default) or rows of an open window read again.
 */
export type ReadAfter = (
  streamId: number,
  afterSeq: number,
  limit: number,
  dimension: number,
  purpose?: "batch" | "window",
) => Promise<StreamSlice>;

/**
 * The planner settings a page is read under: no sort, so the only plan left for `ORDER BY seq
 * LIMIT n` is the ordered scan of each day partition's `(stream_id, seq, received_at)` key
 * (merged across partitions), which stops after n rows.
 *
 * Why: the plan otherwise follows the partitions' statistics. A partition without any (a new
 * day's, or one loaded in a burst, until autovacuum's ANALYZE) is estimated at a few dozen rows
 * for the stream, so PostgreSQL takes a bitmap scan of every row after the cursor and sorts them
 * for the first n: each page then costs the whole backlog, and catching up after a burst is
 * quadratic (100,000 rows: 81 ms a page at the start against 1.5 ms analyzed,
 * `server/scripts/read-plan-pg.ts`). Statistics that are stale the same way (taken while the
 * stream was small) do the same. With sorting off the plan is the same on any statistics: a
 * plan with a Sort costs more than any without (`disable_cost`), and the key always offers one
 * without. Set for the read's own transaction only (`SET LOCAL`), never for the session.
 */
export const PAGE_READ_SETTINGS: PlannerSettings = { enable_sort: "off", enable_incremental_sort: "off" };

/** The page `readAfterByCopy` reads: `(seq, embedding)` after `afterSeq`, in seq order. */
export function pageSelect(streamId: number, afterSeq: number, limit: number): string {
  // COPY takes no parameters; every value inlined here is an integer made by this process.
  return `SELECT seq, embedding FROM embeddings
      WHERE stream_id = ${Math.trunc(streamId)} AND seq > ${Math.trunc(afterSeq)}
      ORDER BY seq LIMIT ${Math.trunc(limit)}`;
}

/** Binary COPY of `(seq, embedding)`: the float32 bytes, never their text form. */
export function readAfterByCopy(database: Database): ReadAfter {
  return async (streamId, afterSeq, limit, dimension) => {
    const select = pageSelect(streamId, afterSeq, limit);
    const { keys, x, n } = await copyKeyedVectors(
      database,
      select,
      dimension,
      "as-is",
      limit,
      PAGE_READ_SETTINGS,
    );
    return { seqs: keys, x, hasMore: n === limit };
  };
}

/** The consumer API's text page (`listEmbeddings`), for callers that hold only a `Db`. */
export function readAfterByText(db: Db): ReadAfter {
  return async (streamId, afterSeq, limit, dimension) => {
    // Under the same planner settings as the COPY reader, in a transaction of its own.
    const page = await db.transaction(async (tx) => {
      const settings = Object.entries(PAGE_READ_SETTINGS).map(
        ([name, value]) => sql`set_config(${name}, ${value}, true)`,
      );
      await tx.execute(sql`SELECT ${sql.join(settings, sql`, `)}`);
      return listEmbeddings(tx, streamId, afterSeq, limit);
    });
    const x = new Float32Array(page.items.length * dimension);
    page.items.forEach((item, i) => {
      if (item.embedding.length !== dimension) {
        throw new Error(
          `embedding seq ${item.seq} has ${item.embedding.length} dimensions, the reference has ${dimension}`,
        );
      }
      x.set(item.embedding, i * dimension);
    });
    return { seqs: page.items.map((item) => item.seq), x, hasMore: page.hasMore };
  };
}

/**
 * Reads the next page while the caller works on this one: after a full page it starts the read
 * of the page after it, and a call asking for exactly that page takes it. On the real PostgreSQL
 * the server sends the next batch's vectors while this process runs the detectors and commits,
 * instead of both waiting for each other in turn (`server/bench/streaming.bench.ts`). PGlite runs
 * in this thread, so there it would gain nothing; servers wrap the COPY reader only on PostgreSQL.
 *
 * Only batch reads read ahead: an open window's rows read again are behind the cursor.
 * A page read ahead is taken only within `maxAgeMs` (default 1 s) of being started: rows after
 * a seq are append-only, but a privacy deletion may remove some, and an old page would still hold them.
 */
export function readAhead(read: ReadAfter, maxAgeMs = 1000): ReadAfter {
  const ahead = new Map<number, { key: string; startedAt: number; page: Promise<StreamSlice> }>();
  return async (streamId, afterSeq, limit, dimension, purpose = "batch") => {
    if (purpose === "window") return read(streamId, afterSeq, limit, dimension, purpose);
    const key = `${afterSeq}:${limit}:${dimension}`;
    const waiting = ahead.get(streamId);
    let page: Promise<StreamSlice> | undefined;
    if (waiting?.key === key) {
      ahead.delete(streamId);
      if (Date.now() - waiting.startedAt <= maxAgeMs) page = waiting.page;
    }
    const slice = await (page ?? read(streamId, afterSeq, limit, dimension));
    if (slice.hasMore && slice.seqs.length > 0) {
      const next = slice.seqs[slice.seqs.length - 1] as number;
      const started = read(streamId, next, limit, dimension);
      // A read nobody takes must not become an unhandled rejection; a taker sees the error.
      started.catch(() => {});
      ahead.set(streamId, { key: `${next}:${limit}:${dimension}`, startedAt: Date.now(), page: started });
    }
    return slice;
  };
}

/**
 * The last `count` embeddings of `streamId` with a seq below `beforeSeq`, oldest first: the rows
 * behind the cursor that a people check of an early finding in a batch needs. Rare (only after a
 * finding on a reference without quality signals), so as text through either driver.
 */
export async function readEmbeddingsBefore(
  db: Executor,
  streamId: number,
  beforeSeq: number,
  count: number,
  dimension: number,
): Promise<{ seqs: number[]; x: Float32Array }> {
  // Ordered by the bigint column, not by its text (an output alias `seq` would sort "999" after "3000").
  const rows = await queryRows<{ seq_text: string; embedding: string }>(
    db,
    sql`SELECT seq::text AS seq_text, embedding::text AS embedding FROM embeddings
        WHERE stream_id = ${streamId} AND seq < ${beforeSeq} ORDER BY embeddings.seq DESC LIMIT ${count}`,
  );
  rows.reverse();
  const x = new Float32Array(rows.length * dimension);
  rows.forEach((row, i) => {
    const values = JSON.parse(row.embedding) as number[];
    if (values.length !== dimension)
      throw new Error(
        `embedding seq ${row.seq_text} has ${values.length} dimensions, the reference has ${dimension}`,
      );
    x.set(values, i * dimension);
  });
  return { seqs: rows.map((row) => Number(row.seq_text)), x };
}
