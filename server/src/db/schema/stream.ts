import { sql } from "drizzle-orm";
import { bigint, check, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { tenants } from "./tenant.ts";

/**
 * A stream is a named sequence of embeddings from one model. It is created on first use and keeps
 * its model and dimension forever: drift is only meaningful between vectors of the same space.
 */
export const streams = pgTable(
  "streams",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    modelId: text("model_id").notNull(),
    modelVersion: text("model_version").notNull(),
    dimension: integer("dimension").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * Kept by ingestion in the same statement that inserts, so listing streams does not count
     * rows; retention recounts after dropping days.
     */
    embeddingCount: bigint("embedding_count", { mode: "number" }).notNull().default(0),
    lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
    lastReceivedAt: timestamp("last_received_at", { withTimezone: true }),
    /** The seq of the stream's last extraction report (`extraction_reports`), kept like `last_seq`. */
    lastExtractionSeq: bigint("last_extraction_seq", { mode: "number" }).notNull().default(0),
    /** Cron (UTC) of the scheduled batch check; null disables it. */
    checkSchedule: text("check_schedule").default("0 2 * * *"),
    /** Per-stream detector settings (window size, thresholds, alert rules) over the defaults. */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    /** Alert de-duplication state (cooldowns per detector), plain JSON from `alerts/rules.ts`. */
    alertState: jsonb("alert_state").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    unique("streams_tenant_name_unique").on(t.tenantId, t.name),
    // pgvector's limit for stored vectors is 16,000 dimensions.
    check("streams_dimension_check", sql`${t.dimension} between 1 and 16000`),
  ],
);
