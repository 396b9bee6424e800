/**
 * @module
 * The batch detector's schedule. Every replica runs a `BatchScheduler`; each tick it
 *
 * 1. enqueues a `batch-check` job for every due slot of every stream with an active reference:
 *    the stream's cron (`streams.check_schedule`, UTC, default daily 02:00) and the weekly
 *    forced-MMD run (`WEEKLY_SCHEDULE`). A slot's job has the key `<kind>:<stream>:<slot ISO>`
 *    and is inserted under a transaction-scoped advisory lock on that key only if no job has it,
 *    so however many replicas see the slot, it is queued once;
 * 2. claims queued jobs with `claimJob` (`FOR UPDATE SKIP LOCKED`), so exactly one replica runs
 *    each, and runs it with the run idempotency key `<kind>:<slot ISO>` and "keep": even a
 *    duplicate job (say, after a lease expired mid-run) cannot store a second run for the slot.
 *
 * Slots older than `lookbackMs` (default 6 h) are not caught up: after a long outage the next
 * slot runs, and `facedrift backfill` recomputes the gap. Nor is a slot from before the active
 * reference was activated: right after a fit, the latest window is the very data the reference
 * was fitted on, and a "catch-up" run on it means nothing (issue 12, item 6). For the same reason
 * a slot whose stream has received nothing since the activation is skipped, not run.
 */
import { Cron } from "croner";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { type Database, queryRows } from "../db/database.ts";
import { referenceSets } from "../db/schema/reference-set.ts";
import { streams } from "../db/schema/stream.ts";
import { FacedriftError } from "../errors.ts";
import { type Logger, silentLogger } from "../log.ts";
import { BATCH_JOB_KIND } from "../services/jobs/kinds.ts";
import { claimJob, finishJob } from "../services/jobs/queue.ts";
import type { VerificationSettings } from "../verification/queue.ts";
import { runBatchCheck } from "./run.ts";

export { BATCH_JOB_KIND } from "../services/jobs/kinds.ts";
/** Sundays 03:00 UTC: the weekly run, which always runs the MMD test. */
export const WEEKLY_SCHEDULE = "0 3 * * 0";

export interface BatchJobPayload {
  key: string;
  streamId: number;
  kind: "scheduled" | "weekly";
  slot: string;
}

export interface BatchSchedulerOptions {
  database: Database;
  /** This replica's name in job leases. */
  owner: string;
  /** The clock; injectable so tests can stand at a slot. */
  now?: () => Date;
  intervalMs?: number;
  lookbackMs?: number;
  leaseMs?: number;
  /** Base of the dashboard links in alerts. */
  dashboardBaseUrl?: string;
  /** Queue a verification job on the labelled set when a run confirms drift (null: never). */
  verifyOnDrift?: VerificationSettings | null;
  log?: Logger;
}

export class BatchScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => Date;
  /** Jobs this scheduler ran that failed, since it was made. */
  private failedRuns = 0;

  constructor(private readonly options: BatchSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.running ??= this.tick()
        .then(() => undefined)
        .catch((error) => this.log("error", "batch scheduler tick failed", { error: String(error) }))
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(loop, this.options.intervalMs ?? 60_000);
    this.timer.unref();
    loop();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Enqueues what is due and runs queued jobs until none is left; returns the counts (`ran`
   * includes the `failed` ones).
   */
  async tick(): Promise<{ enqueued: number; ran: number; failed: number }> {
    const enqueued = await this.enqueueDue();
    const failedBefore = this.failedRuns;
    let ran = 0;
    while (await this.runOne()) ran++;
    return { enqueued, ran, failed: this.failedRuns - failedBefore };
  }

  /** Enqueues a job for each due slot not queued yet (by any replica); returns how many it added. */
  async enqueueDue(): Promise<number> {
    const { db } = this.options.database;
    const now = this.now();
    const since = new Date(now.getTime() - (this.options.lookbackMs ?? 6 * 3_600_000));
    const rows = await db
      .select({ id: streams.id, schedule: streams.checkSchedule, activatedAt: referenceSets.activatedAt })
      .from(streams)
      .innerJoin(referenceSets, and(eq(referenceSets.streamId, streams.id), eq(referenceSets.active, true)))
      .where(isNotNull(streams.checkSchedule));
    let added = 0;
    for (const row of rows) {
      const streamId = Number(row.id);
      // Slots are in (from, now]: none at or before the reference's activation.
      const from = row.activatedAt && row.activatedAt > since ? row.activatedAt : since;
      const plans: [BatchJobPayload["kind"], string][] = [
        ["scheduled", String(row.schedule)],
        ["weekly", WEEKLY_SCHEDULE],
      ];
      for (const [kind, pattern] of plans) {
        let slots: Date[];
        try {
          slots = slotsBetween(pattern, from, now);
        } catch (error) {
          this.log("warn", "batch scheduler: invalid check_schedule", {
            streamId,
            pattern,
            error: String(error),
          });
          continue;
        }
        for (const slot of slots) {
          const payload: BatchJobPayload = {
            key: `${kind}:${streamId}:${slot.toISOString()}`,
            streamId,
            kind,
            slot: slot.toISOString(),
          };
          if (await enqueueOnce(this.options.database, payload, slot)) added++;
        }
      }
    }
    return added;
  }

  /** Claims and runs one queued job; false when there was none. */
  async runOne(): Promise<boolean> {
    const { database, owner } = this.options;
    const job = await claimJob(database.db, [BATCH_JOB_KIND], owner, this.options.leaseMs ?? 600_000);
    if (!job) return false;
    const payload = job.payload as unknown as BatchJobPayload;
    try {
      const fresh = await receivedSinceActivation(database, payload.streamId);
      if (!fresh) {
        await finishJob(database.db, job.id, owner, {
          ok: true,
          result: { skipped: "nothing received since the active reference was activated" },
        });
        this.log("info", "batch check skipped: nothing new since the reference", {
          streamId: payload.streamId,
          slot: payload.slot,
        });
        return true;
      }
      const run = await runBatchCheck(database, {
        streamId: payload.streamId,
        kind: payload.kind,
        idempotencyKey: `${payload.kind}:${payload.slot}`,
        onExisting: "keep",
        verifyOnDrift: this.options.verifyOnDrift ?? null,
        ...(this.options.dashboardBaseUrl ? { dashboardBaseUrl: this.options.dashboardBaseUrl } : {}),
      });
      await finishJob(database.db, job.id, owner, { ok: true });
      this.log("info", "batch check ran", {
        streamId: payload.streamId,
        slot: payload.slot,
        runId: run.id,
        drift: run.drift,
      });
    } catch (error) {
      this.failedRuns++;
      // Domain errors (no data in the window, no reference) will not heal by retrying.
      const permanent = error instanceof FacedriftError;
      await finishJob(database.db, job.id, owner, {
        ok: false,
        error: String((error as Error)?.message ?? error),
        ...(permanent ? {} : { retryAfterMs: 60_000 }),
      });
      this.log(permanent ? "warn" : "error", "batch check failed", {
        streamId: payload.streamId,
        slot: payload.slot,
        error: String(error),
      });
    }
    return true;
  }

  private log(...args: Parameters<Logger>): void {
    (this.options.log ?? silentLogger)(...args);
  }
}

/**
 * Whether the stream received embeddings after its active reference was activated; without any,
 * its latest window is the data the reference was fitted on (or older).
 */
async function receivedSinceActivation(database: Database, streamId: number): Promise<boolean> {
  const [row] = await queryRows<{ fresh: boolean }>(
    database.db,
    sql`SELECT coalesce(s.last_received_at > r.activated_at, r.activated_at IS NULL) AS fresh
        FROM streams s JOIN reference_sets r ON r.stream_id = s.id AND r.active
        WHERE s.id = ${streamId}`,
  );
  // No active reference any more: let the run say so.
  return row?.fresh ?? true;
}

/** The cron's slots in (since, until], UTC. */
export function slotsBetween(pattern: string, since: Date, until: Date): Date[] {
  const cron = new Cron(pattern, { timezone: "UTC", paused: true });
  const slots: Date[] = [];
  for (let next = cron.nextRun(since); next && next.getTime() <= until.getTime(); next = cron.nextRun(next)) {
    slots.push(next);
    if (slots.length > 1000) break;
  }
  return slots;
}

/**
 * Inserts the job unless one with its key exists. The advisory lock (on a hash of the key, held to
 * the end of the transaction) serialises replicas enqueuing the same slot, so the check-then-insert
 * cannot race; the jobs table has no unique key column to do it for us.
 */
async function enqueueOnce(database: Database, payload: BatchJobPayload, runAfter: Date): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${payload.key}))`);
    const rows = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO jobs (kind, payload, run_after)
          SELECT ${BATCH_JOB_KIND}, ${JSON.stringify(payload)}::jsonb, ${runAfter.toISOString()}::timestamptz
          WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = ${BATCH_JOB_KIND} AND payload->>'key' = ${payload.key})
          RETURNING id::text AS id`,
    );
    return rows.length === 1;
  });
}
