import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { type FindingCategory, incidents } from "./incident.ts";
import { streams } from "./stream.ts";
import { tenants } from "./tenant.ts";

export const ALERT_DETECTORS = ["stream", "batch", "verification"] as const;
export type AlertDetector = (typeof ALERT_DETECTORS)[number];
export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const alerts = pgTable(
  "alerts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    streamId: bigint("stream_id", { mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    detector: text("detector").$type<AlertDetector>().notNull(),
    severity: text("severity").$type<AlertSeverity>().notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    /** The incident this finding belongs to; null only for rows from before incidents existed. */
    incidentId: bigint("incident_id", { mode: "number" }).references(() => incidents.id, {
      onDelete: "cascade",
    }),
    /** `population` or `input` when the detector tells them apart (`incident.ts`). */
    category: text("category").$type<FindingCategory>(),
  },
  (t) => [
    index("alerts_tenant_created_idx").on(t.tenantId, t.createdAt),
    // The dashboard's overview counts open alerts per stream on every load; a partial index keeps
    // that cheap however many acknowledged alerts pile up.
    index("alerts_stream_open_idx").on(t.streamId, t.createdAt).where(sql`${t.acknowledgedAt} is null`),
    index("alerts_incident_idx").on(t.incidentId, t.id),
    check("alerts_category_check", sql`${t.category} in ('population','input')`),
    check("alerts_detector_check", sql`${t.detector} in ('stream','batch','verification')`),
    check("alerts_severity_check", sql`${t.severity} in ('info','warning','critical')`),
  ],
);
