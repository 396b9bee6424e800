import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * A generic work queue. Workers claim with `SELECT … FOR UPDATE SKIP LOCKED` (see
 * `services/jobs/queue.ts`), so many processes can pull from it without double work; a claim
 * sets `lease_owner`/`lease_until`, and a job whose lease ran out is claimable again.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status").$type<JobStatus>().notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    runAfter: timestamp("run_after", { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lastError: text("last_error"),
    /** How far a running job got, as its worker reports it (e.g. `{ done, total }` images). */
    progress: jsonb("progress").$type<Record<string, unknown>>(),
    /** What a finished job produced (e.g. `{ verificationRunId }`), written when it succeeds. */
    result: jsonb("result").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("jobs_claim_idx").on(t.kind, t.status, t.runAfter),
    check("jobs_status_check", sql`${t.status} in ('queued','running','succeeded','failed')`),
  ],
);
