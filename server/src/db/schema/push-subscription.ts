import { bigint, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { tenants } from "./tenant.ts";

/** A browser's Web Push subscription (RFC 8030 endpoint + RFC 8291 keys). */
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
