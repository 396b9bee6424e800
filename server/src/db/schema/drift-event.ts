import { bigint, doublePrecision, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { referenceSets } from "./reference-set.ts";
import { streams } from "./stream.ts";

/** One ADWIN detection by the streaming worker, at the embedding `seq` where it fired. */
export const driftEvents = pgTable(
  "drift_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    streamId: bigint("stream_id", { mode: "number" })
      .notNull()
      .references(() => streams.id, { onDelete: "cascade" }),
    referenceSetId: bigint("reference_set_id", { mode: "number" }).references(() => referenceSets.id, {
      onDelete: "set null",
    }),
    seq: bigint("seq", { mode: "number" }).notNull(),
    /** Which monitored signal drifted, e.g. "cosine_to_reference_mean" or "pc1". */
    signal: text("signal").notNull(),
    meanBefore: doublePrecision("mean_before"),
    meanAfter: doublePrecision("mean_after"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    detectedAt: timestamp("detected_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("drift_events_stream_idx").on(t.streamId, t.detectedAt)],
);
