import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { referenceSets } from "./reference-set.ts";
import { streams } from "./stream.ts";

export const DRIFT_RUN_STATUSES = ["running", "succeeded", "failed"] as const;
export const DRIFT_RUN_KINDS = ["scheduled", "manual", "weekly", "backfill"] as const;
export type DriftRunKind = (typeof DRIFT_RUN_KINDS)[number];
export type DriftRunStatus = (typeof DRIFT_RUN_STATUSES)[number];

/** One batch-detector run over a window of a stream; every statistic goes into `results`. */
export const driftRuns = pgTable(
  "drift_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    streamId: bigint("stream_id", { mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    referenceSetId: bigint("reference_set_id", { mode: "number" }).references(() => referenceSets.id, {
      onDelete: "set null",
    }),
    status: text("status").$type<DriftRunStatus>().notNull().default("running"),
    kind: text("kind").$type<DriftRunKind>().notNull().default("manual"),
    /** "none" | "low" | "high", from the batch check; null while running or failed. */
    severity: text("severity"),
    /** Confirmed drift (MMD permutation test rejected). */
    drift: boolean("drift"),
    /** Makes re-runs idempotent (backfill: one run per reference set and window). */
    idempotencyKey: text("idempotency_key"),
    windowStart: timestamp("window_start", { withTimezone: true }),
    windowEnd: timestamp("window_end", { withTimezone: true }),
    fromSeq: bigint("from_seq", { mode: "number" }),
    toSeq: bigint("to_seq", { mode: "number" }),
    results: jsonb("results").$type<Record<string, unknown>>().notNull().default({}),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("drift_runs_stream_idx").on(t.streamId, t.startedAt),
    check("drift_runs_status_check", sql`${t.status} in ('running','succeeded','failed')`),
    check("drift_runs_kind_check", sql`${t.kind} in ('scheduled','manual','weekly','backfill')`),
    uniqueIndex("drift_runs_idempotency_idx").on(t.streamId, t.idempotencyKey),
  ],
);
