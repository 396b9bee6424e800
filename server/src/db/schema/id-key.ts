import { sql } from "drizzle-orm";
import { check, customType, pgTable, smallint, timestamp } from "drizzle-orm/pg-core";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

/**
 * The database's one key for public ids (`server/src/ids/public-ids.ts`): the API shows every
 * row id as a keyed permutation of it, so ids do not count how much the whole server stored.
 * Made by the migration from `gen_random_uuid()` (a strong random source on both drivers); never
 * returned by the API and never rotated (rotating it would change every id a client holds).
 */
export const idKeys = pgTable(
  "id_keys",
  {
    id: smallint("id").primaryKey().default(1),
    key: bytea("key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("id_keys_single_row", sql`${t.id} = 1`)],
);
