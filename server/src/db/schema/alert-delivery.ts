import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { alerts } from "./alert.ts";
import { alertChannels, type ChannelType } from "./alert-channel.ts";
import { type IncidentTransition, incidents } from "./incident.ts";

export const DELIVERY_STATUSES = ["delivered", "retrying", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One delivery attempt of one incident notification (opened, escalated, resolved) to one channel.
 * `alert_id` is the finding that opened or escalated the incident (null for a resolve, and for a
 * channel test); rows from before incidents have only `alert_id`.
 */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    alertId: bigint("alert_id", { mode: "number" }).references(() => alerts.id, { onDelete: "cascade" }),
    incidentId: bigint("incident_id", { mode: "number" }).references(() => incidents.id, {
      onDelete: "cascade",
    }),
    transition: text("transition").$type<IncidentTransition>(),
    /** `set null`: deleting a channel keeps the history of what it was sent. */
    channelId: bigint("channel_id", { mode: "number" }).references(() => alertChannels.id, {
      onDelete: "set null",
    }),
    channelType: text("channel_type").$type<ChannelType>().notNull(),
    attempt: smallint("attempt").notNull(),
    status: text("status").$type<DeliveryStatus>().notNull(),
    httpStatus: smallint("http_status"),
    error: text("error"),
    timedOut: boolean("timed_out").notNull().default(false),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [
    index("alert_deliveries_alert_idx").on(t.alertId, t.channelId, t.attempt),
    index("alert_deliveries_incident_idx").on(t.incidentId, t.id),
    check("alert_deliveries_status_check", sql`${t.status} in ('delivered','retrying','failed')`),
    check("alert_deliveries_attempt_check", sql`${t.attempt} >= 1`),
    check("alert_deliveries_transition_check", sql`${t.transition} in ('opened','escalated','resolved')`),
  ],
);
