import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  doublePrecision,
  index,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { streams } from "./stream.ts";
import { tenants } from "./tenant.ts";

export const MODEL_ROLES = ["current", "candidate", "retired"] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/**
 * A stream's model tracks during and after a model transition (ARCHITECTURE.md, "Model
 * transition"). Each track is its own `streams` row — its own embeddings, reference versions,
 * streaming cursor, batch checks and incidents — so every detector keeps working per model
 * without knowing about transitions. This table says which track clients reach under the
 * stream's name (`current`, whose row carries the name itself), which one is being compared
 * beside it (`candidate`, at most one) and which were replaced (`retired`, history only).
 * A stream that never had a candidate has no rows here: its only row is current.
 */
export const streamModels = pgTable(
  "stream_models",
  {
    /** The track's own stream row. */
    streamId: bigint("stream_id", { mode: "number" })
      .primaryKey()
      .references(() => streams.id, { onDelete: "cascade" }),
    tenantId: bigint("tenant_id", { mode: "number" })
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The name clients send to; the current track's row has it, the others `name~model@version`. */
    streamName: text("stream_name").notNull(),
    role: text("role").$type<ModelRole>().notNull(),
    /** Share of captured faces a capture station or replica also embeds with this model (0, 1]. */
    samplingShare: doublePrecision("sampling_share").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    promotedAt: timestamp("promoted_at", { withTimezone: true }),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
  },
  (t) => [
    check("stream_models_role_check", sql`${t.role} in ('current','candidate','retired')`),
    check("stream_models_share_check", sql`${t.samplingShare} > 0 and ${t.samplingShare} <= 1`),
    uniqueIndex("stream_models_one_current").on(t.tenantId, t.streamName).where(sql`${t.role} = 'current'`),
    uniqueIndex("stream_models_one_candidate")
      .on(t.tenantId, t.streamName)
      .where(sql`${t.role} = 'candidate'`),
    index("stream_models_name_idx").on(t.tenantId, t.streamName),
  ],
);
