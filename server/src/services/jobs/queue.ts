import { sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { queryRows } from "../../db/database.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";
import { jobs } from "../../db/schema/job.ts";

export interface ClaimedJob {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Queues a job; `runAfter` delays it. */
export async function enqueueJob(
  db: Executor,
  kind: string,
  payload: Record<string, unknown> = {},
  runAfter: Date = new Date(),
): Promise<number> {
  const [row] = await db.insert(jobs).values({ kind, payload, runAfter }).returning({ id: jobs.id });
  return Number(row?.id);
}

/**
 * Claims the oldest runnable job of one of `kinds` for `owner` until `leaseMs` from now, or
 * returns null. Runnable: queued and due, or running with an expired lease (its worker died).
 * `FOR UPDATE SKIP LOCKED` lets many workers claim concurrently without waiting on each other or
 * taking the same job.
 */
export async function claimJob(
  db: Executor,
  kinds: readonly string[],
  owner: string,
  leaseMs: number,
): Promise<ClaimedJob | null> {
  const [row] = await queryRows<{ id: string; kind: string; payload: unknown; attempts: number }>(
    db,
    sql`UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = ${owner},
          lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
        WHERE id = (
          SELECT id FROM jobs
          WHERE kind = ANY(${pgArrayLiteral(kinds)}::text[]) AND attempts < max_attempts
            AND ((status = 'queued' AND run_after <= now()) OR (status = 'running' AND lease_until < now()))
          ORDER BY run_after, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED
        )
        RETURNING id::text AS id, kind, payload::text AS payload, attempts`,
  );
  if (!row) return null;
  const payload = typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload;
  return { id: Number(row.id), kind: row.kind, payload, attempts: Number(row.attempts) };
}

/**
 * Finishes a job the caller still owns. Returns false if the lease was lost (another worker took
 * the job over), in which case the caller's result must be discarded — called inside the
 * transaction that stores that result, so the two commit together or not at all.
 */
export async function finishJob(
  db: Executor,
  id: number,
  owner: string,
  outcome:
    | { ok: true; result?: Record<string, unknown>; progress?: Record<string, unknown> | null }
    | { ok: false; error: string; retryAfterMs?: number },
): Promise<boolean> {
  const status = outcome.ok ? "succeeded" : outcome.retryAfterMs === undefined ? "failed" : "queued";
  const error = outcome.ok ? null : outcome.error;
  const delay = outcome.ok ? 0 : (outcome.retryAfterMs ?? 0);
  const json = (value: Record<string, unknown> | null | undefined) => (value ? JSON.stringify(value) : null);
  const result = outcome.ok ? json(outcome.result) : null;
  const progress = outcome.ok ? json(outcome.progress) : null;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE jobs SET status = ${status}, last_error = ${error}, lease_owner = NULL, lease_until = NULL,
          run_after = now() + ${delay} * interval '1 millisecond', updated_at = now(),
          result = coalesce(${result}::jsonb, result), progress = coalesce(${progress}::jsonb, progress)
        WHERE id = ${id} AND lease_owner = ${owner} AND status = 'running'
        RETURNING id::text AS id`,
  );
  return rows.length === 1;
}

/**
 * Extends the lease on a job the caller still owns, and records its progress when given; false
 * when the lease was lost (it ran out and another worker claimed the job), in which case the
 * caller must stop working on it.
 */
export async function renewJobLease(
  db: Executor,
  id: number,
  owner: string,
  leaseMs: number,
  progress?: Record<string, unknown> | null,
): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE jobs SET lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now(),
          progress = coalesce(${progress ? JSON.stringify(progress) : null}::jsonb, progress)
        WHERE id = ${id} AND lease_owner = ${owner} AND status = 'running'
        RETURNING id::text AS id`,
  );
  return rows.length === 1;
}
