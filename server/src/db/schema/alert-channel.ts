import { sql } from "drizzle-orm";
import { bigint, boolean, check, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { tenants } from "./tenant.ts";

export const CHANNEL_TYPES = ["webhook", "slack", "pagerduty", "email", "webpush", "github", "jira"] as const;
/** Channels that keep a ticket per incident (open, update, close) rather than send a message. */
export const TICKET_CHANNEL_TYPES = ["github", "jira"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * A tenant's alert destination. `config` holds secrets (webhook secret, PagerDuty key, Slack URL,
 * SMTP password): it is validated by `alerts/config.ts` before insert and redacted in responses.
 */
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
    config: jsonb("config").$type<Record<string, unknown> & { type: ChannelType }>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("alert_channels_tenant_name_unique").on(t.tenantId, t.name),
    check(
      "alert_channels_type_check",
      sql`${t.type} in ('webhook','slack','pagerduty','email','webpush','github','jira')`,
    ),
    check("alert_channels_type_matches_config", sql`${t.type} = ${t.config}->>'type'`),
  ],
);
