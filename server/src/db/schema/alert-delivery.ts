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

export const DELIVERY_STATUSES = ["delivered", "retrying", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One delivery attempt of one alert to one channel: the per-alert delivery log. */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    alertId: bigint("alert_id", { mode: "number" })
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
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
    check("alert_deliveries_status_check", sql`${t.status} in ('delivered','retrying','failed')`),
    check("alert_deliveries_attempt_check", sql`${t.attempt} >= 1`),
  ],
);
