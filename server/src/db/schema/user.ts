import { bigint, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { tenants } from "./tenant.ts";

/** A dashboard user; the password is stored as a memory-hard hash (scrypt), never in clear. */
export const users = pgTable(
  "users",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("users_email_unique").on(t.email)],
);
