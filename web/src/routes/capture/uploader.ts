/**
 * @module
 * Drains the outbox: sends due records in batches (one stream and model per request, as the API
 * takes them), removes what the server stored, and reschedules the rest with exponential backoff.
 * One flush runs at a time; `kick()` during a flush runs another right after it.
 */
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelay } from "./backoff.ts";
import type { SendResult } from "./ingest.ts";
import type { Outbox, OutboxRecord } from "./outbox.ts";

export interface UploaderStatus {
  queued: number;
  /** Faces the server confirmed this session (stored now or already stored by an earlier try). */
  sent: number;
  /** Of `sent`, those the server already had: retries whose first response was lost. */
  duplicates: number;
  /** Faces the server refused as invalid and that were dropped. */
  rejected: number;
  lastError: string | null;
  /** When the next retry is due (epoch ms), if one is waiting. */
  nextAttemptAt: number | null;
}

export interface UploaderOptions {
  outbox: Outbox;
  send(records: readonly OutboxRecord[]): Promise<SendResult>;
  onStatus(status: UploaderStatus): void;
  batchSize?: number;
  policy?: BackoffPolicy;
  now?: () => number;
  random?: () => number;
  /** Schedules `run` after `ms`; returns a cancel function. */
  schedule?: (run: () => void, ms: number) => () => void;
}

const scheduleWithTimeout = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export function createUploader(options: UploaderOptions) {
  const { outbox, send, onStatus } = options;
  const batchSize = options.batchSize ?? 25;
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? scheduleWithTimeout;
  const status: UploaderStatus = {
    queued: 0,
    sent: 0,
    duplicates: 0,
    rejected: 0,
    lastError: null,
    nextAttemptAt: null,
  };
  let flushing: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let cancelTimer: (() => void) | null = null;

  const publish = async () => {
    status.queued = await outbox.count();
    onStatus({ ...status });
  };

  async function sendOnce(): Promise<boolean> {
    const due = await outbox.due(now(), batchSize);
    const first = due[0];
    if (!first) return false;
    const batch = due.filter(
      (r) =>
        r.stream === first.stream && r.model.id === first.model.id && r.model.version === first.model.version,
    );
    const result = await send(batch);
    if (result.kind === "stored") {
      await outbox.remove(batch.map((r) => r.id));
      status.sent += batch.length;
      status.duplicates += result.duplicates;
      status.lastError = null;
    } else if (result.kind === "rejected-item") {
      const bad = batch[result.item];
      if (bad) await outbox.remove([bad.id]);
      status.rejected += bad ? 1 : 0;
      status.lastError = result.message;
    } else {
      const failedAt = now();
      await outbox.reschedule(
        batch.map((r) => r.id),
        (attempts) => failedAt + retryDelay(attempts, policy, options.random),
        result.message,
      );
      status.lastError = result.message;
      return false;
    }
    return true;
  }

  async function drain() {
    do {
      again = false;
      while (!stopped && (await sendOnce())) await publish();
    } while (again && !stopped);
    cancelTimer?.();
    cancelTimer = null;
    status.nextAttemptAt = await outbox.nextAttemptAt();
    if (!stopped && status.nextAttemptAt !== null) {
      cancelTimer = schedule(() => void flush(), Math.max(0, status.nextAttemptAt - now()));
    }
    await publish();
  }

  /** Sends everything due; resolves when the outbox has nothing more due. */
  function flush(): Promise<void> {
    if (flushing) {
      again = true;
      return flushing;
    }
    flushing = drain().finally(() => {
      flushing = null;
      // A flush asked for after drain() last looked at `again` (its retry timer firing during the
      // final awaits, as a short backoff does) would otherwise be lost, leaving records queued
      // with no timer until the next capture.
      if (again && !stopped) {
        again = false;
        void flush();
      }
    });
    return flushing;
  }

  return {
    flush,
    /** Queues a record and tries to send it. */
    async enqueue(record: OutboxRecord) {
      await outbox.add(record);
      await publish();
      void flush();
    },
    /** Retries everything now, ignoring the backoff (after a settings change or "online"). */
    async retryNow() {
      await outbox.makeAllDue(now());
      return flush();
    },
    stop() {
      stopped = true;
      cancelTimer?.();
    },
    status: () => ({ ...status }),
  };
}

export type Uploader = ReturnType<typeof createUploader>;
