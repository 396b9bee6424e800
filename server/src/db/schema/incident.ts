import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { AlertSeverity } from "./alert.ts";
import { streams } from "./stream.ts";
import { tenants } from "./tenant.ts";

export const INCIDENT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * What a finding says drifted (issue 12's split): `population` — who is in front of the camera
 * changed (new people, few people repeated); `input` — how faces reach the model changed (camera,
 * light, blur, pre-processing). Null: the detector does not tell them apart.
 */
export const FINDING_CATEGORIES = ["population", "input"] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** An incident's notified transitions; see `incidents/transitions.ts`. */
export const INCIDENT_TRANSITIONS = ["opened", "escalated", "resolved"] as const;
export type IncidentTransition = (typeof INCIDENT_TRANSITIONS)[number];

/** One line of an incident's own history (its findings are the `alerts` rows pointing at it). */
export interface IncidentHistoryEntry {
  at: string;
  /** `acknowledged` is not notified to channels; the other three are. */
  kind: IncidentTransition | "acknowledged";
  severity: AlertSeverity;
  /** Who acknowledged or resolved it: `key:<id>`, `user:<name>`, or `calm` for the automatic resolve. */
  by?: string;
  note?: string;
  /** The finding that opened or escalated it. */
  alertId?: number;
}

/**
 * One drift episode of one stream: every detector's finding (`alerts` row) on the stream attaches
 * to its active (open or acknowledged) incident, or opens one. At most one active incident per
 * stream (partial unique index), so concurrent detectors cannot split an episode in two; they
 * serialise on the stream row before looking (`alerts/record.ts`).
 */
export const incidents = pgTable(
  "incidents",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    streamId: bigint("stream_id", { mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    status: text("status").$type<IncidentStatus>().notNull().default("open"),
    /** The highest severity of its findings (population findings count as info). */
    severity: text("severity").$type<AlertSeverity>().notNull(),
    /**
     * The highest severity channels were told about; null while none was (an incident below the
     * stream's notify threshold, by default info, stays on the dashboard). An escalation notifies
     * when `severity` passes it.
     */
    notifiedSeverity: text("notified_severity").$type<AlertSeverity>(),
    /** `input` once any finding is; `population` while all are; null while none says. */
    category: text("category").$type<FindingCategory>(),
    /** Finding kinds that fired, in order of first appearance: `pc1`, `residual`, `mmd`, `batch`, … */
    detectors: jsonb("detectors").$type<string[]>().notNull().default([]),
    findingCount: integer("finding_count").notNull().default(0),
    /** The worst predicted impact among its findings (largest AUC drop), when any predicts one. */
    impact: jsonb("impact").$type<{ deltaAuc: number; error: number }>(),
    /** Event-time span of the findings' windows: what the dashboard opens, with context around it. */
    windowFrom: timestamp("window_from", { withTimezone: true }).notNull(),
    windowTo: timestamp("window_to", { withTimezone: true }).notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the last finding attached: the calm period counts from here. */
    lastFindingAt: timestamp("last_finding_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: text("acknowledged_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: text("resolved_by"),
    history: jsonb("history").$type<IncidentHistoryEntry[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex("incidents_one_active_idx").on(t.streamId).where(sql`${t.status} <> 'resolved'`),
    index("incidents_tenant_idx").on(t.tenantId, t.id),
    // The calm-period sweep reads only active incidents, oldest finding first.
    index("incidents_active_idx").on(t.lastFindingAt).where(sql`${t.status} <> 'resolved'`),
    check("incidents_status_check", sql`${t.status} in ('open','acknowledged','resolved')`),
    check("incidents_severity_check", sql`${t.severity} in ('info','warning','critical')`),
    check("incidents_notified_severity_check", sql`${t.notifiedSeverity} in ('info','warning','critical')`),
    check("incidents_category_check", sql`${t.category} in ('population','input')`),
  ],
);
