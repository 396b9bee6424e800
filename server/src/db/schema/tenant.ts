import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** A tenant owns streams and API keys; every query is scoped by `tenant_id`. */
export const tenants = pgTable("tenants", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  name: text("name").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** The tenant that `FACEDRIFT_ADMIN_KEY` and the first generated admin key belong to. */
export const DEFAULT_TENANT_NAME = "default";
