/**
 * @module
 * PROPOSED tables for the stores in `store.ts`, written as they would sit in
 * `server/src/db/schema/` (one entity per file there). Nothing imports this file yet; whoever owns
 * the schema moves these tables into it and generates the migration.
 *
 * Notes for that move:
 * - `alert_channels.config` holds secrets (webhook secret, PagerDuty key, Slack URL, SMTP
 *   password). API responses must pass it through `redactChannelConfig` (`config.ts`).
 * - `alert_deliveries` grows by one row per attempt (at most 5 per channel per alert by default);
 *   it can be pruned with the alerts it references (`on delete cascade`).
 * - `vapid_keys` has at most one row (`id = 1`, checked), so `insertIfAbsent` is
 *   `insert … on conflict (id) do nothing` followed by a select.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { alerts } from "../db/schema/alert.ts";
import { tenants } from "../db/schema/tenant.ts";
import type { ChannelConfig } from "./config.ts";
import type { ChannelType } from "./delivery-error.ts";
import type { DeliveryStatus } from "./store.ts";

export const CHANNEL_TYPES = ["webhook", "slack", "pagerduty", "email", "webpush"] as const;
export const DELIVERY_STATUSES = ["delivered", "retrying", "failed"] as const;

export const alertChannels = pgTable(
  "alert_channels",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Denormalised from `config.type` so listings can filter without reading jsonb. */
    type: text("type").$type<ChannelType>().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Validated by `channelConfigSchema` before insert. */
    config: jsonb("config").$type<ChannelConfig>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("alert_channels_tenant_name_unique").on(t.tenantId, t.name),
    check("alert_channels_type_check", sql`${t.type} in ('webhook','slack','pagerduty','email','webpush')`),
    check("alert_channels_type_matches_config", sql`${t.type} = ${t.config}->>'type'`),
  ],
);

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

export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The push service URL; unique per tenant, so re-subscribing upserts. */
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("push_subscriptions_tenant_endpoint_unique").on(t.tenantId, t.endpoint)],
);

export const vapidKeys = pgTable(
  "vapid_keys",
  {
    id: smallint("id").primaryKey().default(1),
    publicKey: text("public_key").notNull(),
    /** The server's signing key; like API key hashes, never returned by the API. */
    privateKey: text("private_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("vapid_keys_single_row", sql`${t.id} = 1`)],
);
