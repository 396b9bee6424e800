/**
 * @module
 * How the streaming worker stores each embedding's scores on the reference's components
 * (`embedding_scores`, the batch detector's cache). Two writers, one shape.
 *
 * The binary-COPY writer is the one servers use. Sending k doubles per row as one text array
 * literal made PostgreSQL parse ten floats per embedding in `array_in` and slice the literal
 * per row; COPY sends the doubles' bytes (`server/bench/streaming.bench.ts`). COPY cannot skip
 * conflicts, so the batch's rows of this version are deleted first: a row already scored (a
 * batch replayed after its commit failed) gets the same numbers again. A staging table with
 * `ON CONFLICT DO NOTHING` did the same at twice the cost. Two owners writing the same batch at
 * the same instant (a lease lost mid-batch) make one fail on the primary key; its batch is
 * retried like any failed batch.
 *
 * The writer runs in its own short transaction before the batch's commit. That is safe because
 * the table is a cache keyed by (reference version, seq) of a deterministic projection of rows
 * that never change: scores written for a batch whose commit then fails are the ones its replay
 * computes again, and the batch detector projects any row it finds unscored.
 */
import { sql } from "drizzle-orm";
import type { BulkTx } from "../db/bulk.ts";
import type { Database, Executor } from "../db/database.ts";
import { pgArrayLiteral } from "../db/pg-array.ts";

/** Stores `scores` (n × k, row-major) of `seqs` under `referenceSetId`, keeping rows already there. */
export type ScoreWriter = (rows: {
  referenceSetId: number;
  streamId: number;
  seqs: readonly number[];
  scores: Float64Array;
  k: number;
}) => Promise<void>;

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // "PGCOPY\n\377\r\n\0"
const FLOAT8_OID = 701;
const COLUMNS = ["reference_set_id", "seq", "stream_id", "scores"] as const;

/**
 * The rows as a PostgreSQL binary COPY stream for `COLUMNS`: two int8, one int8 and a one-dimensional
 * float8 array (`array_recv`: ndim, has-nulls, element type, then length and lower bound, then
 * each element as length + big-endian double).
 */
export function encodeScoresCopy(rows: Parameters<ScoreWriter>[0]): Uint8Array {
  const { referenceSetId, streamId, seqs, scores, k } = rows;
  if (scores.length !== seqs.length * k)
    throw new RangeError(`scores have ${scores.length} values, expected ${seqs.length}×${k}`);
  const arrayBytes = 20 + 12 * k;
  const rowBytes = 2 + 3 * 12 + 4 + arrayBytes;
  const out = new Uint8Array(SIGNATURE.length + 8 + seqs.length * rowBytes + 2);
  const view = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let o = SIGNATURE.length + 8; // flags and header-extension length: both zero
  const reference = BigInt(referenceSetId);
  const stream = BigInt(streamId);
  for (let i = 0; i < seqs.length; i++) {
    view.setInt16(o, COLUMNS.length);
    view.setInt32(o + 2, 8);
    view.setBigInt64(o + 6, reference);
    view.setInt32(o + 14, 8);
    view.setBigInt64(o + 18, BigInt(seqs[i] as number));
    view.setInt32(o + 26, 8);
    view.setBigInt64(o + 30, stream);
    view.setInt32(o + 38, arrayBytes);
    view.setInt32(o + 42, 1); // dimensions
    view.setInt32(o + 46, 0); // no nulls
    view.setInt32(o + 50, FLOAT8_OID);
    view.setInt32(o + 54, k);
    view.setInt32(o + 58, 1); // lower bound
    o += 62;
    for (let j = 0; j < k; j++, o += 12) {
      view.setInt32(o, 8);
      view.setFloat64(o + 4, scores[i * k + j] as number);
    }
  }
  view.setInt16(o, -1);
  return out;
}

/** Binary COPY through the driver's bulk transaction; the text writer where the driver has no COPY. */
export function writeScoresByCopy(database: Database): ScoreWriter {
  return async (rows) => {
    if (rows.seqs.length === 0) return;
    await database.bulkTransaction(async (tx) => {
      if (!tx.copyBinary) return insertScores(tx, rows);
      // A reference version belongs to one stream, so its rows in the batch's seq range are the batch's.
      await tx.query("DELETE FROM embedding_scores WHERE reference_set_id = $1 AND seq BETWEEN $2 AND $3", [
        rows.referenceSetId,
        Math.min(...rows.seqs),
        Math.max(...rows.seqs),
      ]);
      await tx.copyBinary("embedding_scores", COLUMNS, encodeScoresCopy(rows));
    });
  };
}

/**
 * One statement with the seqs and every score as two array literals, each row taking its slice;
 * numbers print as shortest round-trip decimals, so the doubles read back are the ones computed.
 */
async function insertScores(tx: BulkTx, rows: Parameters<ScoreWriter>[0]): Promise<void> {
  const { referenceSetId, streamId, seqs, scores, k } = rows;
  await tx.query(
    `INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores)
     SELECT $1::bigint, s.seq, $2::bigint, f.scores[(s.i - 1) * $3::int + 1 : s.i * $3::int]
     FROM unnest($4::bigint[]) WITH ORDINALITY AS s(seq, i),
          (SELECT $5::float8[] AS scores) AS f
     ON CONFLICT DO NOTHING`,
    [referenceSetId, streamId, k, pgArrayLiteral(seqs), pgArrayLiteral(Array.from(scores))],
  );
}

/** The text writer inside the caller's transaction (drizzle), for callers that hold only a `Db`. */
export async function insertScoresIn(executor: Executor, rows: Parameters<ScoreWriter>[0]): Promise<void> {
  const { referenceSetId, streamId, seqs, scores, k } = rows;
  await executor.execute(
    sql`INSERT INTO embedding_scores (reference_set_id, seq, stream_id, scores)
        SELECT ${referenceSetId}, s.seq, ${streamId}, f.scores[(s.i - 1) * ${k} + 1 : s.i * ${k}]
        FROM unnest(${pgArrayLiteral(seqs)}::bigint[]) WITH ORDINALITY AS s(seq, i),
             (SELECT ${pgArrayLiteral(Array.from(scores))}::float8[] AS scores) AS f
        ON CONFLICT DO NOTHING`,
  );
}
