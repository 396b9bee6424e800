import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { streams } from "./stream.ts";

/** PCA of the reference window (written by the batch detector). */
export interface PcaJson {
  mean: number[];
  components: number[][];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
}

/** Per-dimension PSI bins of the reference window. */
export interface PsiJson {
  edges: number[][];
  referenceProportions: number[][];
}

/**
 * A frozen reference window for one stream. Versions count up per stream; exactly one set per
 * stream is active (partial unique index), so switching is "deactivate old, activate new" in one
 * transaction.
 */
export const referenceSets = pgTable(
  "reference_sets",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    streamId: bigint("stream_id", { mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    modelId: text("model_id").notNull(),
    modelVersion: text("model_version").notNull(),
    dimension: integer("dimension").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    active: boolean("active").notNull().default(false),
    params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
    pca: jsonb("pca").$type<PcaJson>(),
    psi: jsonb("psi").$type<PsiJson>(),
    /** The MMD reference sample, row-major (`mmdSampleSize` × `dimension`). */
    mmdSample: real("mmd_sample").array(),
    mmdSampleSize: integer("mmd_sample_size"),
    calibration: jsonb("calibration").$type<Record<string, unknown>>(),
  },
  (t) => [
    unique("reference_sets_stream_version_unique").on(t.streamId, t.version),
    uniqueIndex("reference_sets_one_active_idx").on(t.streamId).where(sql`${t.active}`),
  ],
);
