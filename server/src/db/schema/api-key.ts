import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { tenants } from "./tenant.ts";

/** `admin` implies the other two (see `auth/scopes.ts`). */
export const API_KEY_SCOPES = ["ingest", "read", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * API keys are stored as sha256(secret) only. The secret is 32 random bytes (256 bits), so a
 * brute-force search is hopeless even at GPU hash rates; slow hashes (bcrypt, argon2) exist to
 * protect low-entropy human passwords, and would only add ~100 ms to every request here.
 * `prefix` (the first characters of the secret) lets people tell keys apart in listings.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull().unique(),
    scopes: text("scopes").array().$type<ApiKeyScope[]>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    index("api_keys_tenant_idx").on(t.tenantId),
    check("api_keys_scopes_check", sql`${t.scopes} <@ ARRAY['ingest','read','admin']::text[]`),
  ],
);
