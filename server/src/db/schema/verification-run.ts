import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { streams } from "./stream.ts";
import { tenants } from "./tenant.ts";

/**
 * One verification job: labelled pairs embedded through the face pipeline, scored by cosine
 * similarity, and summarised as AUC, EER and TAR at fixed FARs (`stats/src/verification.ts`).
 * Optionally tied to a stream (e.g. triggered by a confirmed batch drift on it).
 */
export const verificationRuns = pgTable(
  "verification_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    streamId: bigint("stream_id", { mode: "number" }).references(() => streams.id, { onDelete: "set null" }),
    modelId: text("model_id").notNull(),
    modelVersion: text("model_version").notNull(),
    pairs: integer("pairs").notNull(),
    /** Pairs that could not be scored (no face, several faces, unreadable image), with reasons. */
    skipped: jsonb("skipped")
      .$type<Array<{ left: string; right: string; reason: string }>>()
      .notNull()
      .default([]),
    auc: doublePrecision("auc").notNull(),
    eer: doublePrecision("eer").notNull(),
    tarAtFar: jsonb("tar_at_far").$type<Record<string, number>>().notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("verification_runs_tenant_created_idx").on(t.tenantId, t.createdAt)],
);
