/**
 * @module
 * The replica loop: claim an `image-batch` job (`FOR UPDATE SKIP LOCKED`, so each job goes to one
 * replica however many run), embed its files in headless Chromium, finish it, and between jobs
 * delete the images past retention. The lease is renewed before every file; a replica that dies
 * stops renewing, and once the lease runs out another replica claims the job and carries on with
 * the files still pending.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { imageBatches } from "../db/schema/image-batch.ts";
import type { ImageStore } from "../images/store.ts";
import { IMAGE_BATCH_JOB } from "../images/upload.ts";
import { type Logger, silentLogger } from "../log.ts";
import { claimJob, finishJob } from "../services/jobs/queue.ts";
import { failAbandonedBatches } from "./abandoned.ts";
import type { ImageEmbedder } from "./chromium.ts";
import { deleteExpiredImages } from "./image-retention.ts";
import { renewJobLease } from "./lease.ts";
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
  log?: Logger;
}

export class ReplicaWorker {
  readonly #options: Required<Omit<ReplicaOptions, "log">> & { log: Logger };
  #embedder: ImageEmbedder | undefined;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(options: ReplicaOptions) {
    this.#options = { leaseMs: 60_000, pollMs: 1_000, log: silentLogger, ...options };
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
    this.#embedder ??= await this.#options.openEmbedder();
    const embedder = this.#embedder;
    const job = await claimJob(database.db, [IMAGE_BATCH_JOB], owner, leaseMs);
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
      });
      if (!completed) {
        log("warn", "image batch taken over by another replica", { job: job.id, batch: batchId });
        return true;
      }
      await this.#finishBatch(batchId, "succeeded", null);
      await finishJob(database.db, job.id, owner, { ok: true });
      log("info", "image batch done", { job: job.id, batch: batchId });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log("error", "image batch failed", {
        job: job.id,
        batch: batchId,
        attempt: job.attempts,
        error: message,
      });
      // The browser may be the broken part: start a fresh one for the next attempt.
      await this.#embedder?.close().catch(() => undefined);
      this.#embedder = undefined;
      if (job.attempts >= MAX_ATTEMPTS) {
        await this.#finishBatch(batchId, "failed", message);
        await finishJob(database.db, job.id, owner, { ok: false, error: message });
      } else {
        await finishJob(database.db, job.id, owner, {
          ok: false,
          error: message,
          retryAfterMs: 1_000 * 2 ** job.attempts,
        });
      }
    }
    return true;
  }

  async #finishBatch(batchId: number, status: "succeeded" | "failed", error: string | null): Promise<void> {
    const now = Date.now();
    await this.#options.database.db
      .update(imageBatches)
      .set({
        status,
        error,
        finishedAt: new Date(now),
        imagesExpireAt: new Date(now + this.#options.imageRetentionHours * HOUR_MS),
      })
      .where(eq(imageBatches.id, batchId));
    if (this.#options.imageRetentionHours === 0)
      await deleteExpiredImages(this.#options.database, this.#options.store);
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (error) {
        this.#options.log("error", "replica poll failed", { error: String(error) });
      }
      if (!worked && !this.#stopping) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, this.#options.pollMs);
        });
      }
    }
  }
}
