/**
 * @module
 * One step of the streaming detector for one stream: read the next embeddings after the cursor,
 * run them through the detectors (`detectors.ts`: ADWIN on PC1 and on the PCA residual, MMD² on
 * each window of 500), and commit the drift events, the findings (attached to the stream's
 * incident) and the advanced cursor (with the detectors' checkpoint) in one transaction.
 *
 * Exactly-once: the transaction first locks the cursor row and checks that this owner still holds
 * an unexpired lease and that the cursor is where the batch started. If not, it writes nothing.
 * A crash anywhere before the commit leaves the previous cursor and checkpoint in place, so the
 * next owner replays the same embeddings into the same ADWIN state: nothing skipped, nothing
 * counted twice.
 *
 * Reads happen before the transaction. They are safe there: embeddings after the cursor are
 * append-only (seq order is commit order per stream, see `services/embeddings/ingest.ts`), the
 * reference profile is frozen, and the cursor only moves under the lease checked at commit. Keeping
 * the transaction to a few short writes matters on PGlite, where one open transaction holds the
 * only connection and ingestion would wait for it.
 */
import { sql } from "drizzle-orm";
import type { IncidentNotification } from "../alerts/types.ts";
import type { Db, Tx } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { driftEvents } from "../db/schema/drift-event.ts";
import { qualityOfSeqs } from "../services/embeddings/quality.ts";
import { saveStreamCursor } from "../services/stream-cursors/lease.ts";
import { writeStreamAlerts } from "./alerts.ts";
import { type Detection, runDetectors } from "./detectors.ts";
import { projectBatch } from "./project-batch.ts";
import { type ReadAfter, readAfterByText, readEmbeddingsBefore } from "./read.ts";
import { loadActiveReference, type ReferenceCache } from "./reference.ts";
import { insertScoresIn, type ScoreWriter } from "./score-cache.ts";

/** The stream as the worker knows it. */
export interface StreamRef {
  id: number;
  tenantId: number;
  name: string;
}

/** Where the caller's lease says the stream stands (from `acquireStreamLease` or the last batch). */
export interface CursorPosition {
  lastSeq: number;
  adwinState: Record<string, unknown> | null;
  referenceSetId: number | null;
}

export interface BatchOptions {
  owner: string;
  /** The lease is extended to this long from the commit. */
  leaseMs: number;
  /** Embeddings per step (the text reader returns at most 1,000, the page size of `listEmbeddings`). */
  batchSize: number;
  /** How the batch is read (default: the text reader over `db`; servers pass `readAfterByCopy`). */
  read?: ReadAfter;
  /**
   * Where the batch's component scores go (default: inside the commit, as text; servers pass
   * `writeScoresByCopy`, which writes them just before it).
   */
  writeScores?: ScoreWriter;
  /** Base of the dashboard links in alerts. */
  dashboardBaseUrl: string;
  cache?: ReferenceCache;
  /** Test seam: runs inside the transaction after every write, before the commit. */
  beforeCommit?: (info: { processed: number; detections: number }) => void | Promise<void>;
}

export type StreamDetection = Detection & { driftEventId: number };

export type BatchOutcome =
  | { status: "no-reference" }
  | { status: "idle"; cursor: CursorPosition }
  | { status: "lease-lost" }
  | {
      status: "processed";
      cursor: CursorPosition;
      processed: number;
      detections: StreamDetection[];
      /** Incident notifications the findings caused, to dispatch after the commit. */
      toDispatch: IncidentNotification[];
      /** PC1 score of the last embedding processed. */
      lastScore: number;
      /** Streaming detectors that ran (1: PC1 only, an old profile), and why not all when not. */
      detectors: number;
      limitation: string | null;
      /** The cursor held a PC1-only checkpoint, upgraded in this batch. */
      upgraded: boolean;
      /** The page was full: more embeddings are probably waiting. */
      hasMore: boolean;
    };

class LeaseLost extends Error {}

export async function processStreamBatch(
  db: Db,
  stream: StreamRef,
  cursor: CursorPosition,
  options: BatchOptions,
): Promise<BatchOutcome> {
  // A stream without a reference is not monitored yet and its cursor stays put: when a reference
  // appears, every stored embedding is checked against it, oldest first. Advancing instead would
  // silently leave whatever arrived before the reference unchecked; replaying costs one pass
  // over the backlog (visible as lag) and reports drift at the seq where it happened.
  const reference = await loadActiveReference(db, stream.id, options.cache);
  if (!reference) return { status: "no-reference" };
  const dimension = reference.projection.pc1.length;
  const read = options.read ?? readAfterByText(db);
  const { seqs, x, hasMore } = await read(stream.id, cursor.lastSeq, options.batchSize, dimension);
  const n = seqs.length;
  if (n === 0) return { status: "idle", cursor };

  // Every component's score (cached for the batch detector, `db/schema/embedding-score.ts`), and
  // what the other detectors need from the same projection.
  const projected = projectBatch(reference, x, n);
  const { componentScores } = projected;
  // A new reference (or none before) starts the detectors afresh: their state mixed another PCA.
  const resume = cursor.referenceSetId === reference.id && cursor.adwinState !== null;
  const result = await runDetectors(
    reference,
    resume ? cursor.adwinState : null,
    cursor.lastSeq,
    { seqs, x, ...projected },
    {
      windowStart: async (afterSeq, count) => {
        const slice = await read(stream.id, afterSeq, count, dimension, "window");
        // Only rows already behind the cursor belong to the open window.
        const keep = slice.seqs.filter((seq) => seq <= cursor.lastSeq).length;
        return { seqs: slice.seqs.slice(0, keep), x: slice.x.subarray(0, keep * dimension) };
      },
      quality: (windowSeqs) => qualityOfSeqs(db, stream.id, windowSeqs),
      before: (beforeSeq, count) => readEmbeddingsBefore(db, stream.id, beforeSeq, count, dimension),
    },
  );
  const { detections } = result;
  const next: CursorPosition = {
    lastSeq: seqs[n - 1] as number,
    adwinState: result.state as unknown as Record<string, unknown>,
    referenceSetId: reference.id,
  };

  // Event times only for the rows a detection names (its seq and where its window starts).
  const times = await eventTimes(
    db,
    stream.id,
    detections.flatMap((d) => [d.seq, d.windowFromSeq]),
  );

  const scoreRows = {
    referenceSetId: reference.id,
    streamId: stream.id,
    seqs,
    scores: componentScores,
    k: reference.pca.nComponents,
  };
  if (options.writeScores) await options.writeScores(scoreRows);

  try {
    const written = await db.transaction(async (tx) => {
      if (!(await holdsCursor(tx, stream.id, options.owner, cursor.lastSeq))) throw new LeaseLost();
      const rows =
        detections.length === 0
          ? []
          : await tx
              .insert(driftEvents)
              .values(detections.map((d) => driftEventRow(d, stream.id, reference, times)))
              .returning({ id: driftEvents.id });
      const found: StreamDetection[] = detections.map((d, i) => ({
        ...d,
        driftEventId: Number(rows[i]?.id),
      }));
      const dispatch = await writeStreamAlerts(tx, {
        stream,
        reference: { id: reference.id, version: reference.version },
        detections: found.map((f) => ({
          ...f,
          window: { from: times.get(f.windowFromSeq) as string, to: times.get(f.seq) as string },
        })),
        dashboardBaseUrl: options.dashboardBaseUrl,
        pc1Sigma: Math.sqrt(reference.pca.explainedVariance[0] ?? 0),
      });
      if (!options.writeScores) await insertScoresIn(tx, scoreRows);
      const saved = await saveStreamCursor(tx, stream.id, options.owner, {
        ...next,
        leaseMs: options.leaseMs,
      });
      if (!saved) throw new LeaseLost();
      await options.beforeCommit?.({ processed: n, detections: found.length });
      return { found, dispatch };
    });
    return {
      status: "processed",
      cursor: next,
      processed: n,
      detections: written.found,
      toDispatch: written.dispatch,
      lastScore: result.pc1Scores[n - 1] as number,
      detectors:
        1 + (reference.residualAdwin ? 1 : 0) + (reference.mmdWindow ? 1 : 0) + (reference.quality ? 1 : 0),
      limitation: reference.limitation,
      upgraded: result.upgraded,
      hasMore,
    };
  } catch (error) {
    if (error instanceof LeaseLost) return { status: "lease-lost" };
    throw error;
  }
}

/**
 * The drift_events row of one detection: ADWIN's before/after means for PC1 and the residual;
 * for the MMD window the statistic, its threshold and the window it covered.
 */
function driftEventRow(
  d: Detection,
  streamId: number,
  reference: { id: number; version: number },
  times: Map<number, string>,
) {
  const common = {
    streamId,
    referenceSetId: reference.id,
    seq: d.seq,
    signal: d.signal,
  };
  if (d.signal === "quality") {
    return {
      ...common,
      details: {
        statistic: "quality-window",
        category: d.category,
        severity: d.severity,
        fired: d.result.fired,
        signals: d.result.signals,
        zCritical: d.zCritical,
        people: d.result.people,
        distinctRows: d.result.distinctRows,
        impact: d.impact,
        window: { rows: d.result.rows, from: times.get(d.windowFromSeq), to: times.get(d.seq) },
        referenceVersion: reference.version,
        eventTime: times.get(d.seq),
      },
    };
  }
  if (d.signal === "mmd") {
    return {
      ...common,
      details: {
        statistic: "mmd2-unbiased",
        space: d.space,
        category: d.category,
        ...(d.people ? { people: d.people } : {}),
        ...(d.detail ? { detail: d.detail } : {}),
        value: d.statistic,
        threshold: d.threshold,
        alpha: d.alpha,
        // Event times, not seqs: the event's own seq ends the window, and a window's seqs say
        // less to a reader than when its rows were taken.
        window: { rows: d.rows, from: times.get(d.windowFromSeq), to: times.get(d.seq) },
        referenceVersion: reference.version,
        eventTime: times.get(d.seq),
      },
    };
  }
  return {
    ...common,
    meanBefore: d.meanBefore,
    meanAfter: d.meanAfter,
    details: {
      statistic: d.signal === "pc1" ? "pc1-score" : "pca-residual",
      category: d.category,
      ...(d.people ? { people: d.people } : {}),
      ...(d.detail ? { detail: d.detail } : {}),
      score: d.score,
      widthBefore: d.widthBefore,
      widthAfter: d.widthAfter,
      referenceVersion: reference.version,
      eventTime: times.get(d.seq),
    },
  };
}

/** ISO event times of the given seqs of one stream (few: only rows that detections name). */
async function eventTimes(db: Db, streamId: number, seqs: number[]): Promise<Map<number, string>> {
  if (seqs.length === 0) return new Map();
  const rows = await queryRows<{ seq: string; event_time: string }>(
    db,
    sql`SELECT seq::text AS seq,
          to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS event_time
        FROM embeddings WHERE stream_id = ${streamId}
          AND seq IN (${sql.join(
            [...new Set(seqs)].map((seq) => sql`${seq}`),
            sql`, `,
          )})`,
  );
  return new Map(rows.map((r) => [Number(r.seq), r.event_time]));
}

/**
 * Locks the cursor row and checks that `owner` holds an unexpired lease on it and that nobody
 * moved it since `lastSeq` was read: a compare-and-set guard for the whole batch.
 */
async function holdsCursor(tx: Tx, streamId: number, owner: string, lastSeq: number): Promise<boolean> {
  const rows = await queryRows<{ last_seq: string }>(
    tx,
    sql`SELECT last_seq::text AS last_seq FROM stream_cursors
        WHERE stream_id = ${streamId} AND owner = ${owner} AND lease_until >= now()
        FOR UPDATE`,
  );
  return rows.length === 1 && Number(rows[0]?.last_seq) === lastSeq;
}
