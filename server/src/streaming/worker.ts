/**
 * @module
 * The streaming worker: one loop per process that keeps every monitored stream (one with an active
 * reference set) caught up, one `processStreamBatch` at a time.
 *
 * Ownership: a stream is processed only under its cursor lease (`services/stream-cursors/lease.ts`).
 * The worker renews the leases it holds (every batch commit extends it; idle streams are renewed
 * at a third of the lease), skips streams another live process holds, and takes over a stream whose
 * owner stopped renewing once the lease expires. `stop()` releases its leases so another process
 * can continue at once.
 *
 * Isolation: an error in one stream is logged, counted and retried after a backoff; it never
 * stops the loop or the other streams. Nothing here runs inside an ingestion request: ingestion
 * only appends rows, and the worker reads them later, so a slow or failing detector only grows
 * the lag. Alerts are dispatched after the commit without being awaited by the loop.
 *
 * @example
 * ```ts
 * const worker = new StreamingWorker({ db: database.db, log });
 * worker.start();
 * // …
 * await worker.stop();
 * ```
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { type DispatchOptions, dispatchNotification } from "../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../alerts/drizzle-store.ts";
import type { AlertStore } from "../alerts/store.ts";
import type { IncidentNotification } from "../alerts/types.ts";
import type { Db } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { type Logger, silentLogger } from "../log.ts";
import { acquireStreamLease, releaseStreamLease } from "../services/stream-cursors/lease.ts";
import { type ExtractionPosition, processExtractionReports } from "./extraction.ts";
import { streamingRecorder } from "./metrics.ts";
import {
  type BatchOptions,
  type BatchOutcome,
  type CursorPosition,
  processStreamBatch,
  type StreamRef,
} from "./process-batch.ts";
import type { ReadAfter } from "./read.ts";
import type { ReferenceCache } from "./reference.ts";
import type { ScoreWriter } from "./score-cache.ts";

export interface StreamingWorkerOptions {
  db: Db;
  /** How batches are read: `readAfterByCopy(database)` in servers; default the text reader over `db`. */
  read?: ReadAfter;
  /** Where component scores go: `writeScoresByCopy(database)` in servers; default inside the commit. */
  writeScores?: ScoreWriter;
  /** Lease owner id; default `hostname:pid:random`, unique per worker. */
  owner?: string;
  /** Pause between passes when every stream is caught up (default 500 ms). */
  pollIntervalMs?: number;
  /** Lease length (default 15 s): how long a dead process's streams wait before a takeover. */
  leaseMs?: number;
  /**
   * Embeddings per batch (default 1,000; the text reader returns at most 1,000 per read whatever
   * is asked). Servers on PostgreSQL ask for `POSTGRES_STREAM_BATCH`.
   */
  batchSize?: number;
  /** Batches per stream per pass before moving on, so one backlog does not starve the rest (default 10). */
  batchesPerPass?: number;
  /** Base of the dashboard links in alerts (default http://localhost:8080/). */
  dashboardBaseUrl?: string;
  /** Where alerts go: the drizzle store by default; `false` records alert rows without sending. */
  alertStore?: Pick<AlertStore, "channels" | "deliveries" | "vapidKeys" | "pushSubscriptions"> | false;
  dispatch?: Omit<DispatchOptions, "signal" | "logger">;
  log?: Logger;
  /** Test seam, passed to every batch (see `BatchOptions.beforeCommit`). */
  beforeCommit?: BatchOptions["beforeCommit"];
}

interface Held {
  cursor: CursorPosition;
  /** Local clock (ms) after which the lease is renewed even when there is nothing to do. */
  renewAt: number;
}

interface MonitoredRow {
  id: string;
  tenant_id: string;
  name: string;
  last_seq: string;
  last_extraction_seq: string;
  reference_set_id: string;
  cursor_seq: string | null;
  cursor_reference: string | null;
  cursor_extraction_seq: string | null;
  owner: string | null;
  leased: boolean | null;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Embeddings per batch on the real PostgreSQL. Each batch costs a read round trip, a score COPY
 * and a commit whatever its size; pages of 5,000 pay them a fifth as often as pages of 1,000
 * (`server/bench/streaming.bench.ts`, BENCHMARKS.md). Not on PGlite: there the batch's commit
 * holds the only connection, and ingestion waits for it.
 */
export const POSTGRES_STREAM_BATCH = 5000;

export function defaultOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

export class StreamingWorker {
  readonly owner: string;
  private readonly db: Db;
  private readonly options: Required<
    Pick<
      StreamingWorkerOptions,
      "pollIntervalMs" | "leaseMs" | "batchSize" | "batchesPerPass" | "dashboardBaseUrl"
    >
  >;
  private readonly log: Logger;
  private readonly alertStore: Exclude<StreamingWorkerOptions["alertStore"], undefined>;
  private readonly held = new Map<number, Held>();
  private readonly failures = new Map<number, { count: number; retryAt: number }>();
  /**
   * Streams whose extraction reports failed, retried with their own backoff: a failure in the
   * reports' path (a poisoned report) must not hold back the stream's embedding detectors.
   */
  private readonly reportFailures = new Map<number, { count: number; retryAt: number }>();
  private readonly cache: ReferenceCache = new Map();
  /** References whose limitation (e.g. PC1 only) this worker has logged, so it says it once. */
  private readonly told = new Set<number>();
  private readonly dispatches = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private renewal: NodeJS.Timeout | null = null;
  private renewing = false;
  private stopping = false;
  private wake: (() => void) | null = null;
  private caughtUpWaiters: (() => void)[] = [];

  constructor(private readonly input: StreamingWorkerOptions) {
    this.db = input.db;
    this.owner = input.owner ?? defaultOwnerId();
    this.options = {
      pollIntervalMs: input.pollIntervalMs ?? 500,
      leaseMs: input.leaseMs ?? 15_000,
      batchSize: positiveInteger("batchSize", input.batchSize ?? 1000),
      batchesPerPass: input.batchesPerPass ?? 10,
      dashboardBaseUrl: input.dashboardBaseUrl ?? "http://localhost:8080/",
    };
    this.log = input.log ?? silentLogger;
    this.alertStore = input.alertStore ?? createDrizzleAlertStore(input.db);
  }

  start(): void {
    if (this.loop) return;
    streamingRecorder.ownership(this, () => this.held.size);
    this.loop = this.run();
    // Renewal does not wait for the loop: one pass over many backlogged streams may take longer
    // than a lease, and the streams it has not reached yet must stay ours meanwhile.
    this.renewal = setInterval(() => void this.renewDue(), this.options.leaseMs / 3);
    this.renewal.unref();
  }

  /** Finishes the batch in flight, releases every lease, and aborts alert retries in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.renewal) clearInterval(this.renewal);
    this.wake?.();
    await this.loop;
    while (this.renewing) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const streamId of this.held.keys()) {
      await releaseStreamLease(this.db, streamId, this.owner).catch((error) =>
        this.log("warn", "streaming: lease release failed", { streamId, error: String(error) }),
      );
    }
    this.held.clear();
    streamingRecorder.ownership(this, null);
    this.abort.abort();
    await Promise.allSettled([...this.dispatches]);
    for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
  }

  /** Resolves after the next pass that found nothing left to process (for tests and tools). */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  /** Runs passes until stopped; a pass with work left starts the next one at once. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      let busy = false;
      try {
        busy = await this.pass();
      } catch (error) {
        // Listing the streams failed (database away?): log and try again after the interval.
        streamingRecorder.failed();
        this.log("error", "streaming: pass failed", { error: String(error) });
      }
      if (!busy) {
        for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
        await this.sleep(this.options.pollIntervalMs);
      } else {
        await yieldToEventLoop();
      }
    }
  }

  /** One round over the monitored streams; true when some stream still has work waiting. */
  async pass(): Promise<boolean> {
    let busy = false;
    const rows = await queryRows<MonitoredRow>(
      this.db,
      sql`SELECT s.id::text AS id, s.tenant_id::text AS tenant_id, s.name, s.last_seq::text AS last_seq,
            s.last_extraction_seq::text AS last_extraction_seq,
            r.id::text AS reference_set_id, c.last_seq::text AS cursor_seq,
            c.reference_set_id::text AS cursor_reference, c.extraction_seq::text AS cursor_extraction_seq, c.owner,
            (c.lease_until IS NOT NULL AND c.lease_until >= now()) AS leased
          FROM streams s
          JOIN reference_sets r ON r.stream_id = s.id AND r.active AND r.profile IS NOT NULL
          LEFT JOIN stream_cursors c ON c.stream_id = s.id
          ORDER BY s.id`,
    );
    const monitored = new Set<number>();
    for (const row of rows) {
      if (this.stopping) break;
      const streamId = Number(row.id);
      monitored.add(streamId);
      if (row.owner !== null && row.owner !== this.owner && row.leased) {
        this.held.delete(streamId); // another live process owns it
        continue;
      }
      const failure = this.failures.get(streamId);
      if (failure && failure.retryAt > Date.now()) continue;
      const pending = Number(row.last_seq) > Number(row.cursor_seq ?? 0);
      // Extraction reports come without embeddings when a batch found no face: waiting work too.
      const reportFailure = this.reportFailures.get(streamId);
      const reports =
        Number(row.last_extraction_seq) > Number(row.cursor_extraction_seq ?? 0) &&
        !(reportFailure && reportFailure.retryAt > Date.now());
      const held = this.held.get(streamId);
      if (!pending && !reports && held && held.renewAt > Date.now()) continue;
      const stream: StreamRef = { id: streamId, tenantId: Number(row.tenant_id), name: row.name };
      try {
        busy = (await this.serve(stream, pending, reports)) || busy;
        this.failures.delete(streamId);
      } catch (error) {
        const count = (failure?.count ?? 0) + 1;
        const delay = Math.min(MAX_BACKOFF_MS, this.options.pollIntervalMs * 2 ** count);
        this.failures.set(streamId, { count, retryAt: Date.now() + delay });
        streamingRecorder.failed();
        this.log("error", "streaming: batch failed", {
          streamId,
          stream: stream.name,
          attempt: count,
          retryInMs: delay,
          error: String(error),
        });
      }
    }
    // A stream whose reference was deactivated is no longer ours to hold.
    for (const streamId of [...this.held.keys()]) {
      if (!monitored.has(streamId) && !this.stopping) {
        this.held.delete(streamId);
        await releaseStreamLease(this.db, streamId, this.owner);
      }
    }
    return busy;
  }

  /**
   * Takes or renews the stream's lease, then processes the waiting extraction reports and up to
   * `batchesPerPass` batches of embeddings.
   */
  private async serve(stream: StreamRef, pending: boolean, reports = false): Promise<boolean> {
    const lease = await acquireStreamLease(this.db, stream.id, this.owner, this.options.leaseMs);
    if (!lease) {
      this.held.delete(stream.id);
      return false;
    }
    const renewAt = () => Date.now() + this.options.leaseMs / 3;
    // The database's cursor is the truth: a takeover resumes from what the last owner committed.
    let cursor: CursorPosition = {
      lastSeq: lease.lastSeq,
      adwinState: lease.adwinState,
      referenceSetId: lease.referenceSetId,
    };
    this.held.set(stream.id, { cursor, renewAt: renewAt() });
    if (reports) {
      let more: boolean | null = false;
      try {
        more = await this.serveReports(stream, lease);
        this.reportFailures.delete(stream.id);
      } catch (error) {
        const count = (this.reportFailures.get(stream.id)?.count ?? 0) + 1;
        const delay = Math.min(MAX_BACKOFF_MS, this.options.pollIntervalMs * 2 ** count);
        this.reportFailures.set(stream.id, { count, retryAt: Date.now() + delay });
        streamingRecorder.failed();
        this.log("error", "streaming: extraction reports failed", {
          streamId: stream.id,
          stream: stream.name,
          attempt: count,
          retryInMs: delay,
          error: String(error),
        });
      }
      if (more === null) return false;
      if (more && !pending) return !this.stopping;
    }
    if (!pending) return false;
    for (let batch = 0; batch < this.options.batchesPerPass && !this.stopping; batch++) {
      const outcome = await processStreamBatch(this.db, stream, cursor, {
        owner: this.owner,
        leaseMs: this.options.leaseMs,
        batchSize: this.options.batchSize,
        ...(this.input.read ? { read: this.input.read } : {}),
        ...(this.input.writeScores ? { writeScores: this.input.writeScores } : {}),
        dashboardBaseUrl: this.options.dashboardBaseUrl,
        cache: this.cache,
        beforeCommit: this.input.beforeCommit,
      });
      if (outcome.status === "lease-lost") {
        streamingRecorder.leaseLost();
        this.held.delete(stream.id);
        this.log("warn", "streaming: lease lost, batch discarded", { streamId: stream.id });
        return false;
      }
      if (outcome.status !== "processed") return false;
      this.tellLimitation(stream, outcome);
      cursor = outcome.cursor;
      this.held.set(stream.id, { cursor, renewAt: renewAt() });
      for (const alert of outcome.toDispatch) this.send(alert);
      streamingRecorder.committed(
        {
          streamId: stream.id,
          tenantId: stream.tenantId,
          stream: stream.name,
          lastPc1: outcome.lastScore,
          processedSeq: cursor.lastSeq,
          detectors: outcome.detectors,
        },
        outcome.processed,
        outcome.detections.length,
        outcome.toDispatch.length,
      );
      if (outcome.detections.length > 0) {
        this.log("info", "streaming: drift detected", {
          streamId: stream.id,
          stream: stream.name,
          seqs: outcome.detections.map((d) => d.seq),
        });
      }
      if (!outcome.hasMore) return false;
      // Let HTTP requests in between batches: parsing a page of vectors is synchronous work.
      await yieldToEventLoop();
    }
    return !this.stopping;
  }

  /**
   * Runs the stream's waiting extraction reports through the faces-lost detector (a page per call,
   * up to `batchesPerPass`). Returns whether more are waiting, or null when the lease was lost.
   */
  private async serveReports(stream: StreamRef, from: ExtractionPosition): Promise<boolean | null> {
    let position: ExtractionPosition = {
      extractionSeq: from.extractionSeq,
      extractionState: from.extractionState,
    };
    for (let page = 0; page < this.options.batchesPerPass && !this.stopping; page++) {
      const outcome = await processExtractionReports(this.db, stream, position, {
        owner: this.owner,
        leaseMs: this.options.leaseMs,
        dashboardBaseUrl: this.options.dashboardBaseUrl,
      });
      if (outcome.status === "lease-lost") {
        streamingRecorder.leaseLost();
        this.held.delete(stream.id);
        this.log("warn", "streaming: lease lost, extraction reports discarded", { streamId: stream.id });
        return null;
      }
      if (outcome.status === "idle") return false;
      position = outcome.position;
      for (const alert of outcome.toDispatch) this.send(alert);
      if (outcome.findings.length > 0) {
        this.log("info", "streaming: faces lost", {
          streamId: stream.id,
          stream: stream.name,
          reportSeqs: outcome.findings.map((f) => f.toSeq),
        });
      }
      if (!outcome.hasMore) return false;
      await yieldToEventLoop();
    }
    return true;
  }

  /** Logs once per reference what it cannot run (an old profile runs PC1 only), and an upgraded checkpoint. */
  private tellLimitation(stream: StreamRef, outcome: Extract<BatchOutcome, { status: "processed" }>): void {
    const referenceSetId = outcome.cursor.referenceSetId as number;
    if (outcome.upgraded) {
      this.log("info", "streaming: PC1-only checkpoint upgraded; residual ADWIN and MMD window start here", {
        streamId: stream.id,
        stream: stream.name,
        seq: outcome.cursor.lastSeq,
      });
    }
    if (outcome.limitation === null || this.told.has(referenceSetId)) return;
    this.told.add(referenceSetId);
    this.log("warn", `streaming: reference set ${referenceSetId} ${outcome.limitation}`, {
      streamId: stream.id,
      stream: stream.name,
      detectors: outcome.detectors,
    });
  }

  /** Renews the held leases that are due; a lease found taken is dropped. */
  private async renewDue(): Promise<void> {
    if (this.renewing || this.stopping) return;
    this.renewing = true;
    try {
      for (const [streamId, held] of this.held) {
        if (this.stopping || held.renewAt > Date.now() || this.held.get(streamId) !== held) continue;
        const lease = await acquireStreamLease(this.db, streamId, this.owner, this.options.leaseMs);
        if (lease) held.renewAt = Date.now() + this.options.leaseMs / 3;
        else this.held.delete(streamId);
      }
    } catch (error) {
      this.log("warn", "streaming: lease renewal failed", { error: String(error) });
    } finally {
      this.renewing = false;
    }
  }

  /** Fire-and-forget: `dispatchNotification` never rejects, and the loop does not wait for it. */
  private send(notification: IncidentNotification): void {
    if (this.alertStore === false) return;
    const delivery = dispatchNotification(notification, this.alertStore, {
      ...this.input.dispatch,
      logger: this.log,
      signal: this.abort.signal,
    });
    this.dispatches.add(delivery);
    void delivery.finally(() => this.dispatches.delete(delivery));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
