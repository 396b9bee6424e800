import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { streams } from "./stream.ts";

/**
 * The frozen reference profile (`ReferenceProfile` from `@facedrift/stats`: PCA, PSI bins, KS and
 * MMD samples, bandwidth, calibration) as one JSON document with its own format tag, so the
 * detectors read exactly what was fitted and an export is this column verbatim.
 */
/** What privacy erasures did to a reference version; see `reference_sets.erasure`. */
export interface ReferenceErasure {
  /** Erasure passes that removed copies from this version (a request makes one or two). */
  changes: number;
  lastAt: string;
  storedVectorsRemoved: number;
  mmdSampleRowsRemoved: number;
  ksSampleRowsRemoved: number;
  /** PCA, PSI bins and calibrations were fitted with the erased rows: fit a new version. */
  refitRecommended: boolean;
}

export type ReferenceProfileJson = Record<string, unknown> & { format: string };

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
    /**
     * When it last became active. The batch scheduler runs no slot before it: a catch-up run right
     * after a fit would check the very window the reference was fitted on (issue 12, item 6).
     */
    activatedAt: timestamp("activated_at", { withTimezone: true }),
    /** How the set was made: source window, options, seed. */
    params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
    profile: jsonb("profile").$type<ReferenceProfileJson>(),
    /** Calibration results, also inside `profile`, kept apart for listings and comparisons. */
    calibration: jsonb("calibration").$type<Record<string, unknown>>(),
    /** kNN novelty: the reference's own 99th percentile of nearest-neighbour cosine distance. */
    knnThreshold: doublePrecision("knn_threshold"),
    description: text("description"),
    /**
     * Privacy erasures that reached this version (`services/embeddings/erase-references.ts`):
     * vectors removed from its stored rows and samples, and that its fitted statistics still
     * carry them until it is refitted. Null: never touched.
     */
    erasure: jsonb("erasure").$type<ReferenceErasure>(),
  },
  (t) => [
    unique("reference_sets_stream_version_unique").on(t.streamId, t.version),
    uniqueIndex("reference_sets_one_active_idx").on(t.streamId).where(sql`${t.active}`),
  ],
);
