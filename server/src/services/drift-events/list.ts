import { and, desc, eq, gte, lt, lte, sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { driftEvents } from "../../db/schema/drift-event.ts";
import { type Page, pageOf } from "../paging.ts";

export interface DriftEventView {
  id: number;
  seq: number;
  signal: string;
  meanBefore: number | null;
  meanAfter: number | null;
  referenceSetId: number | null;
  details: Record<string, unknown>;
  /** The `ts` of the embedding at which it fired; null for events from before it was recorded. */
  eventTime: string | null;
  detectedAt: string;
}

export interface DriftEventQuery {
  /** Already tenant-checked (`getStream`). */
  streamId: number;
  from?: Date;
  to?: Date;
  /** The clock of `from`/`to`: the detecting embedding's event time (default), or detection time. */
  time?: "event" | "arrival";
  before?: number;
  limit: number;
}

/** A stream's drift events, newest first, optionally within `[from, to]` on event or detection time. */
export async function listDriftEvents(db: Executor, query: DriftEventQuery): Promise<Page<DriftEventView>> {
  // Events from before the event time was recorded fall back to their detection time.
  const at =
    query.time === "arrival"
      ? sql`${driftEvents.detectedAt}`
      : sql`coalesce((${driftEvents.details}->>'eventTime')::timestamptz, ${driftEvents.detectedAt})`;
  const rows = await db
    .select()
    .from(driftEvents)
    .where(
      and(
        eq(driftEvents.streamId, query.streamId),
        query.from ? gte(at, query.from) : undefined,
        query.to ? lte(at, query.to) : undefined,
        query.before !== undefined ? lt(driftEvents.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(driftEvents.id))
    .limit(query.limit + 1);
  return pageOf(
    rows.map((row) => ({
      id: Number(row.id),
      seq: Number(row.seq),
      signal: row.signal,
      meanBefore: row.meanBefore,
      meanAfter: row.meanAfter,
      referenceSetId: row.referenceSetId === null ? null : Number(row.referenceSetId),
      details: row.details,
      eventTime:
        typeof row.details.eventTime === "string" ? new Date(row.details.eventTime).toISOString() : null,
      detectedAt: row.detectedAt.toISOString(),
    })),
    query.limit,
  );
}
