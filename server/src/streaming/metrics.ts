/**
 * @module
 * What the streaming workers of this process have done, for `/metrics`, plus the lag, which is
 * read from the database because it also counts work no process has claimed.
 *
 * Counters only move after a commit, so a rolled-back or replayed batch is counted once: the
 * time it committed.
 */
import { sql } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";

export interface StreamGauge {
  streamId: number;
  tenantId: number;
  stream: string;
  /** PC1 score of the last embedding this process committed for the stream. */
  lastPc1: number;
  /** The cursor after that commit. */
  processedSeq: number;
  /** Streaming detectors running on the stream: 3, or 1 (PC1 only) for a profile fitted before the others. */
  detectors: number;
}

export interface StreamingMetricsSnapshot {
  /** Embeddings processed and committed by this process's workers. */
  processedTotal: number;
  /** Drift events committed. */
  detectionsTotal: number;
  /** Incident notifications (opened, escalated) the streaming findings sent to the channels. */
  alertsDispatchedTotal: number;
  batchesTotal: number;
  /** Batches that threw (logged and retried later). */
  errorsTotal: number;
  /** Batches discarded because another process had taken the stream over. */
  leaseLostTotal: number;
  /** Streams whose lease a worker of this process holds now. */
  ownedStreams: number;
  streams: StreamGauge[];
}

const counters = {
  processedTotal: 0,
  detectionsTotal: 0,
  alertsDispatchedTotal: 0,
  batchesTotal: 0,
  errorsTotal: 0,
  leaseLostTotal: 0,
};
const gauges = new Map<number, StreamGauge>();
const owned = new Map<object, () => number>();

/** Process-wide recorder the workers write to (exported for the worker, not for callers). */
export const streamingRecorder = {
  committed(gauge: StreamGauge, processed: number, detections: number, dispatched: number): void {
    counters.batchesTotal++;
    counters.processedTotal += processed;
    counters.detectionsTotal += detections;
    counters.alertsDispatchedTotal += dispatched;
    gauges.set(gauge.streamId, gauge);
  },
  failed(): void {
    counters.errorsTotal++;
  },
  leaseLost(): void {
    counters.leaseLostTotal++;
  },
  /** A worker registers how many leases it holds; `null` unregisters it. */
  ownership(worker: object, count: (() => number) | null): void {
    if (count) owned.set(worker, count);
    else owned.delete(worker);
  },
};

/** The counters and per-stream gauges of this process, copied. */
export function streamingMetricsSnapshot(): StreamingMetricsSnapshot {
  let ownedStreams = 0;
  for (const count of owned.values()) ownedStreams += count();
  return {
    ...counters,
    ownedStreams,
    streams: [...gauges.values()].map((g) => ({ ...g })).sort((a, b) => a.streamId - b.streamId),
  };
}

export interface StreamLag {
  streamId: number;
  tenantId: number;
  stream: string;
  /** Stored embeddings of this stream after the cursor: the ones not processed yet. */
  lag: number;
  /** The cursor (0 before the first batch). */
  processedSeq: number;
  /** The stream's highest seq. */
  lastSeq: number;
}

/**
 * Per monitored stream (one with an active reference), how many of its stored embeddings the
 * streaming detector has not processed. Seqs count per stream, but an erasure may have deleted
 * rows after the cursor, so `streams.last_seq − cursor` could overcount; this counts the stream's
 * rows after the cursor instead, on the `(stream_id, seq, …)` primary key, and skips the count
 * when the cursor is at the stream's last seq (the usual case).
 */
export async function streamLag(db: Executor): Promise<StreamLag[]> {
  const rows = await queryRows<{
    stream_id: string;
    tenant_id: string;
    name: string;
    processed: string;
    last_seq: string;
    lag: string;
  }>(
    db,
    sql`SELECT s.id::text AS stream_id, s.tenant_id::text AS tenant_id, s.name,
          coalesce(c.last_seq, 0)::text AS processed, s.last_seq::text AS last_seq,
          CASE WHEN coalesce(c.last_seq, 0) >= s.last_seq THEN 0
               ELSE (SELECT count(*) FROM embeddings e
                     WHERE e.stream_id = s.id AND e.seq > coalesce(c.last_seq, 0))
          END::text AS lag
        FROM streams s
        JOIN reference_sets r ON r.stream_id = s.id AND r.active AND r.profile IS NOT NULL
        LEFT JOIN stream_cursors c ON c.stream_id = s.id
        ORDER BY s.id`,
  );
  return rows.map((r) => ({
    streamId: Number(r.stream_id),
    tenantId: Number(r.tenant_id),
    stream: r.name,
    lag: Number(r.lag),
    processedSeq: Number(r.processed),
    lastSeq: Number(r.last_seq),
  }));
}
