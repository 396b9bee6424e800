/**
 * @module
 * The replica loop: claim an `image-batch` or `verification` job (`FOR UPDATE SKIP LOCKED`, so
 * each job goes to one replica however many run), embed its images in headless Chromium, finish
 * it, and between jobs delete the images past retention. The lease is renewed before every file; a replica that dies
 * stops renewing, and once the lease runs out another replica claims the job and carries on with
 * the files still pending.
 */
import { eq } from "drizzle-orm";
import { dispatchNotification } from "../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../alerts/drizzle-store.ts";
import type { Database } from "../db/database.ts";
import { imageBatches } from "../db/schema/image-batch.ts";
import { streams } from "../db/schema/stream.ts";
import { FacedriftError } from "../errors.ts";
import { checkFaceLoss } from "../images/face-loss.ts";
import type { ImageStore } from "../images/store.ts";
import { IMAGE_BATCH_JOB } from "../images/upload.ts";
import { type Logger, silentLogger } from "../log.ts";
import { type ClaimedJob, claimJob, finishJob, renewJobLease } from "../services/jobs/queue.ts";
import { runVerificationJob } from "../verification/job.ts";
import { VERIFICATION_JOB } from "../verification/queue.ts";
import { failAbandonedBatches, failPendingFiles } from "./abandoned.ts";
import type { ImageEmbedder } from "./chromium.ts";
import { deleteExpiredImages } from "./image-retention.ts";
import { pageFaceSource } from "./page-faces.ts";
import { processImageBatch } from "./process-batch.ts";

const HOUR_MS = 3_600_000;
/** The queue's default `max_attempts`: the last attempt fails the batch instead of requeueing it. */
const MAX_ATTEMPTS = 5;

export interface ReplicaOptions {
  database: Database;
  store: ImageStore;
  /** Opens the browser page; called again after a failure closed the previous one. */
  openEmbedder: () => Promise<ImageEmbedder>;
  owner: string;
  /** How long a claim lasts without renewal: how soon a dead replica's job moves on. */
  leaseMs?: number;
  /** Sleep between empty polls. */
  pollMs?: number;
  imageRetentionHours: number;
  /**
   * How long the loop may go without a sign of life (a poll, or an image the page answered)
   * before `health()` calls it stalled (default 10 minutes): a page hung on one image stops both.
   */
  stallMs?: number;
  /** The clock of `health()`; injectable for tests. */
  now?: () => number;
  /** Base of the dashboard links in the alerts a verification job raises. */
  dashboardBaseUrl?: string;
  /**
   * Open the browser only once a job is claimed, not at start (default false). `facedrift serve`
   * on the embedded database runs a replica this way, so a server that never receives images
   * never starts Chromium.
   */
  browserWhenNeeded?: boolean;
  /** Files per page call in batched model runs (`processImageBatch`); default 1. */
  batchSize?: number;
  log?: Logger;
}

/** What the replica's probes report (`replica/health-server.ts`). */
export interface ReplicaHealth {
  /** The loop runs and showed a sign of life within `stallMs`: restarting would not help. */
  live: boolean;
  /** The browser page is open and the last poll of the queue reached the database. */
  ready: boolean;
  /** Milliseconds since the last sign of life. */
  sinceBeatMs: number;
  /** Why not live or not ready, for people reading the probe's answer. */
  reason?: string;
}

export class ReplicaWorker {
  readonly #options: Required<Omit<ReplicaOptions, "log" | "dashboardBaseUrl">> &
    Pick<ReplicaOptions, "dashboardBaseUrl"> & { log: Logger };
  #embedder: ImageEmbedder | undefined;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #lastBeat: number;
  #pollError: string | undefined;

  constructor(options: ReplicaOptions) {
    this.#options = {
      leaseMs: 60_000,
      pollMs: 1_000,
      stallMs: 600_000,
      browserWhenNeeded: false,
      batchSize: 1,
      now: Date.now,
      log: silentLogger,
      ...options,
    };
    this.#lastBeat = this.#options.now();
  }

  /**
   * Liveness and readiness. Not live: the loop ended, or nothing happened for `stallMs` (a poll
   * finishes every `pollMs` when idle, and a job embeds an image every few seconds). Not ready:
   * the browser page is not open (still starting, or failed to start) or the queue's database
   * did not answer the last poll. A replica serves no traffic, so readiness only tells rollouts
   * and the PodDisruptionBudget whether this pod is doing its work.
   */
  health(): ReplicaHealth {
    const sinceBeatMs = this.#options.now() - this.#lastBeat;
    const looping = this.#running !== undefined && !this.#stopping;
    const stalled = sinceBeatMs > this.#options.stallMs;
    const live = looping && !stalled;
    const ready = live && this.#embedder !== undefined && this.#pollError === undefined;
    const reason = !looping
      ? "the job loop is not running"
      : stalled
        ? `no poll or embedded image for ${Math.round(sinceBeatMs / 1000)} s`
        : this.#pollError !== undefined
          ? `last poll failed: ${this.#pollError}`
          : this.#embedder === undefined
            ? "the browser page is not open yet"
            : undefined;
    return { live, ready, sinceBeatMs, ...(reason ? { reason } : {}) };
  }

  #beat(): void {
    this.#lastBeat = this.#options.now();
  }

  /** The page, with every answered image counted as a sign of life. */
  async #openEmbedder(): Promise<ImageEmbedder> {
    const page = await this.#options.openEmbedder();
    return {
      loaded: page.loaded,
      embed: async (...args) => {
        const result = await page.embed(...args);
        this.#beat();
        return result;
      },
      ...(page.again
        ? {
            again: async (model: { id: string; version: string }, item?: number) => {
              const result = await (page.again as NonNullable<ImageEmbedder["again"]>)(model, item);
              this.#beat();
              return result;
            },
          }
        : {}),
      ...(page.embedBatch
        ? {
            embedBatch: async (...args: Parameters<NonNullable<ImageEmbedder["embedBatch"]>>) => {
              const results = await (page.embedBatch as NonNullable<ImageEmbedder["embedBatch"]>)(...args);
              this.#beat();
              return results;
            },
          }
        : {}),
      close: () => page.close(),
    };
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    await this.#embedder?.close();
    this.#embedder = undefined;
  }

  /** Claims and runs one job; false when there was none. */
  async runOnce(): Promise<boolean> {
    const { database, owner, leaseMs, log } = this.#options;
    if (!this.#options.browserWhenNeeded) this.#embedder ??= await this.#openEmbedder();
    const job = await claimJob(database.db, [IMAGE_BATCH_JOB, VERIFICATION_JOB], owner, leaseMs);
    let embedder: ImageEmbedder;
    try {
      this.#embedder ??= job ? await this.#openEmbedder() : undefined;
      embedder = this.#embedder as ImageEmbedder;
    } catch (error) {
      // The job is not at fault: give it back for a later attempt, saying why.
      const message = `the replica's browser did not start: ${error instanceof Error ? error.message : String(error)}`;
      log("error", "replica browser failed to start", { job: job?.id, error: message });
      if (job)
        await this.#fail(job, job.kind === IMAGE_BATCH_JOB ? Number(job.payload.batchId) : null, message);
      return true;
    }
    if (job?.kind === VERIFICATION_JOB) return this.#verify(job, embedder);
    if (!job) {
      const abandoned = await failAbandonedBatches(database, this.#options.imageRetentionHours);
      if (abandoned.length > 0)
        log("warn", "image batches failed after their last attempt", { batches: abandoned });
      await deleteExpiredImages(database, this.#options.store);
      return false;
    }
    const batchId = Number(job.payload.batchId);
    log("info", "image batch claimed", { job: job.id, batch: batchId, attempt: job.attempts });
    try {
      const completed = await processImageBatch({
        database,
        store: this.#options.store,
        embedder,
        batchId,
        faces: job.payload.faces === "single" ? "single" : "largest",
        stillOwned: () => renewJobLease(database.db, job.id, owner, leaseMs),
        batchSize: this.#options.batchSize,
      });
      if (!completed) {
        log("warn", "image batch taken over by another replica", { job: job.id, batch: batchId });
        return true;
      }
      await this.#finishBatch(batchId, "succeeded", null);
      await finishJob(database.db, job.id, owner, { ok: true });
      log("info", "image batch done", { job: job.id, batch: batchId });
      await this.#checkFaceLoss(batchId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log("error", "image batch failed", {
        job: job.id,
        batch: batchId,
        attempt: job.attempts,
        error: message,
      });
      // A domain error (the stream refuses these embeddings) will not heal by retrying; anything
      // else may be the browser's fault: start a fresh one for the next attempt.
      const permanent = error instanceof FacedriftError && error.code !== "unavailable";
      if (!permanent) {
        await this.#embedder?.close().catch(() => undefined);
        this.#embedder = undefined;
      }
      await this.#fail(job, batchId, message, permanent);
    }
    return true;
  }

  /**
   * A failed attempt of a job: retried later with backoff, or, on the last attempt or a
   * permanent error, the job and its batch failed with the reason, which every file still
   * pending gets too (`batch.ts`: nothing stays `pending` under a failed job).
   */
  async #fail(job: ClaimedJob, batchId: number | null, message: string, permanent = false): Promise<void> {
    const { database, owner } = this.#options;
    if (permanent || job.attempts >= MAX_ATTEMPTS) {
      if (batchId !== null) await this.#finishBatch(batchId, "failed", message);
      await finishJob(database.db, job.id, owner, { ok: false, error: message });
      return;
    }
    if (batchId !== null) {
      // Back in the queue, with the reason visible on the job until the next attempt.
      await database.db
        .update(imageBatches)
        .set({ status: "queued", error: `attempt ${job.attempts} failed, retrying: ${message}` })
        .where(eq(imageBatches.id, batchId));
    }
    await finishJob(database.db, job.id, owner, {
      ok: false,
      error: message,
      retryAfterMs: 1_000 * 2 ** job.attempts,
    });
  }

  /**
   * Whether the batch lost more faces than the stream's earlier photos (`images/face-loss.ts`).
   * The batch is done whatever this says: a failure here is logged, never the job's.
   */
  async #checkFaceLoss(batchId: number): Promise<void> {
    const { database, log } = this.#options;
    try {
      const { result, notifications } = await checkFaceLoss(
        database,
        batchId,
        this.#options.dashboardBaseUrl,
      );
      if (result?.fired)
        log("warn", "image batch lost faces", {
          batch: batchId,
          lost: result.now.lost,
          photos: result.now.photos,
          rateBefore: result.before.rate,
        });
      for (const notification of notifications)
        void dispatchNotification(notification, createDrizzleAlertStore(database.db));
    } catch (error) {
      log("error", "face-loss check failed", { batch: batchId, error: String(error) });
    }
  }

  /** A verification job: the labelled set through this replica's page, stored with the job's success. */
  async #verify(job: ClaimedJob, embedder: ImageEmbedder): Promise<true> {
    const { database, owner, leaseMs, log } = this.#options;
    log("info", "verification claimed", { job: job.id, attempt: job.attempts });
    try {
      const outcome = await runVerificationJob({
        database,
        job,
        owner,
        leaseMs,
        source: pageFaceSource(embedder, "central", await alternateFor(database, job, embedder)),
        ...(this.#options.dashboardBaseUrl ? { dashboardBaseUrl: this.#options.dashboardBaseUrl } : {}),
      });
      if (outcome.status === "lost") {
        log("warn", "verification taken over by another replica", { job: job.id });
        return true;
      }
      const { summary } = outcome;
      log("info", "verification done", {
        job: job.id,
        run: summary.runId,
        auc: summary.auc,
        belowMinAuc: summary.belowMinAuc,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A missing labelled set or a stream of another model will not heal by retrying.
      const permanent = error instanceof FacedriftError || job.attempts >= MAX_ATTEMPTS;
      log("error", "verification failed", { job: job.id, attempt: job.attempts, error: message });
      if (!permanent) {
        await this.#embedder?.close().catch(() => undefined);
        this.#embedder = undefined;
      }
      await finishJob(database.db, job.id, owner, {
        ok: false,
        error: message,
        ...(permanent ? {} : { retryAfterMs: 1_000 * 2 ** job.attempts }),
      });
    }
    return true;
  }

  async #finishBatch(batchId: number, status: "succeeded" | "failed", error: string | null): Promise<void> {
    const now = Date.now();
    await this.#options.database.db.transaction(async (tx) => {
      await tx
        .update(imageBatches)
        .set({
          status,
          error,
          finishedAt: new Date(now),
          imagesExpireAt: new Date(now + this.#options.imageRetentionHours * HOUR_MS),
        })
        .where(eq(imageBatches.id, batchId));
      if (status === "failed") await failPendingFiles(tx, batchId, error ?? "the job failed");
    });
    if (this.#options.imageRetentionHours === 0)
      await deleteExpiredImages(this.#options.database, this.#options.store);
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let worked = false;
      try {
        worked = await this.runOnce();
        this.#pollError = undefined;
      } catch (error) {
        this.#pollError = error instanceof Error ? error.message : String(error);
        this.#options.log("error", "replica poll failed", { error: String(error) });
      }
      this.#beat();
      if (!worked && !this.#stopping) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, this.#options.pollMs);
        });
      }
    }
  }
}

/**
 * The page's alternate embedder a verification job's stream holds, if any (a model track of a
 * transition: `services/stream-models/`), so its AUC is that model's; else the default.
 */
async function alternateFor(database: Database, job: ClaimedJob, embedder: ImageEmbedder) {
  const stream = (job.payload as { stream?: { id: number } | null }).stream;
  if (!stream || !embedder.again) return undefined;
  const [row] = await database.db
    .select({ modelId: streams.modelId, modelVersion: streams.modelVersion })
    .from(streams)
    .where(eq(streams.id, stream.id));
  return embedder.loaded.others?.find((m) => m.id === row?.modelId && m.version === row?.modelVersion);
}
