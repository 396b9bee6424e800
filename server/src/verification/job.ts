/**
 * @module
 * Verification as a server job: the API (`POST /v1/verification-jobs`) or a confirmed batch drift
 * queues a `verification` job on the server's configured labelled set; a replica claims it from
 * the job queue (`FOR UPDATE SKIP LOCKED`), runs `runVerification` with faces from its browser
 * page, and stores the run in the same transaction that marks the job succeeded — a job that lost
 * its lease mid-run stores nothing, and the replica that took it over stores the one run.
 */
import { eq } from "drizzle-orm";
import type { Database, Executor } from "../db/database.ts";
import { streams } from "../db/schema/stream.ts";
import { FacedriftError } from "../errors.ts";
import { type ClaimedJob, finishJob, renewJobLease } from "../services/jobs/queue.ts";
import type { Progress } from "./images.ts";
import type { FaceSource } from "./pipeline.ts";
import type { VerificationJobPayload } from "./queue.ts";
import { runVerification } from "./run.ts";
import type { VerificationSummary } from "./summary.ts";

export interface VerificationJobContext {
  database: Database;
  job: ClaimedJob;
  owner: string;
  leaseMs: number;
  source: FaceSource;
  dashboardBaseUrl?: string;
}

export type VerificationJobOutcome =
  | { status: "succeeded"; summary: VerificationSummary }
  /** The lease ran out and another worker owns the job now: nothing was stored. */
  | { status: "lost" };

class LeaseLost extends Error {}

/**
 * Runs a claimed verification job to the end. The lease is renewed (and progress written) every
 * third of `leaseMs` while images are embedded; when a renewal finds the job taken over, the run
 * stops before its next image. Domain errors (a missing pairs file, a stream of another model)
 * are `FacedriftError`s: the caller fails the job instead of retrying it.
 */
export async function runVerificationJob(context: VerificationJobContext): Promise<VerificationJobOutcome> {
  const { database, job, owner, leaseMs, source } = context;
  const payload = job.payload as unknown as VerificationJobPayload;
  if (payload.stream) await checkStreamModel(database.db, payload.stream, source);
  let progress: Progress | null = null;
  const lost = new AbortController();
  const heartbeat = setInterval(
    () => {
      void renewJobLease(database.db, job.id, owner, leaseMs, progressJson(progress)).then(
        (held) => held || lost.abort(new LeaseLost()),
        // A failed renewal (the database briefly away) is retried on the next beat.
        () => undefined,
      );
    },
    Math.max(250, Math.floor(leaseMs / 3)),
  );
  try {
    const summary = await runVerification(database, {
      pairsFile: payload.pairsFile,
      imagesDir: payload.imagesDir,
      tenantId: payload.tenantId,
      ...(payload.stream ? { stream: payload.stream.name } : {}),
      minAuc: payload.minAuc,
      ...(payload.limit === null ? {} : { limit: payload.limit }),
      source,
      signal: lost.signal,
      onProgress: (p) => {
        progress = p;
      },
      ...(context.dashboardBaseUrl ? { dashboardBaseUrl: context.dashboardBaseUrl } : {}),
      inTransaction: async (tx, runId) => {
        const done = {
          ok: true as const,
          result: { verificationRunId: runId },
          progress: progressJson(progress),
        };
        if (!(await finishJob(tx, job.id, owner, done))) throw new LeaseLost();
      },
    });
    return { status: "succeeded", summary };
  } catch (error) {
    if (error instanceof LeaseLost || lost.signal.aborted) return { status: "lost" };
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/** A run embeds with one model; a stream holds one model's embeddings. They must be the same. */
async function checkStreamModel(
  db: Executor,
  stream: { id: number; name: string },
  source: FaceSource,
): Promise<void> {
  const [row] = await db
    .select({ modelId: streams.modelId, modelVersion: streams.modelVersion })
    .from(streams)
    .where(eq(streams.id, stream.id));
  if (!row) throw new FacedriftError("not_found", `stream "${stream.name}" no longer exists`);
  if (row.modelId !== source.model.id || row.modelVersion !== source.model.version) {
    throw new FacedriftError(
      "conflict",
      `stream "${stream.name}" holds ${row.modelId}@${row.modelVersion} embeddings, but this ` +
        `replica embeds with ${source.model.id}@${source.model.version}: its AUC would not be the stream's model's`,
      { field: "stream" },
    );
  }
}

function progressJson(progress: Progress | null): Record<string, number> | null {
  if (!progress) return null;
  return {
    done: progress.done,
    total: progress.total,
    elapsedMs: Math.round(progress.elapsedMs),
    etaMs: Math.round(progress.etaMs),
  };
}
