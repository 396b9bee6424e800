import { and, desc, eq, gte, lt, lte } from "drizzle-orm";
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
  detectedAt: string;
}

export interface DriftEventQuery {
  /** Already tenant-checked (`getStream`). */
  streamId: number;
  from?: Date;
  to?: Date;
  before?: number;
  limit: number;
}

/** A stream's ADWIN detections, newest first, optionally within `[from, to]` (detection time). */
export async function listDriftEvents(db: Executor, query: DriftEventQuery): Promise<Page<DriftEventView>> {
  const rows = await db
    .select()
    .from(driftEvents)
    .where(
      and(
        eq(driftEvents.streamId, query.streamId),
        query.from ? gte(driftEvents.detectedAt, query.from) : undefined,
        query.to ? lte(driftEvents.detectedAt, query.to) : undefined,
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
      detectedAt: row.detectedAt.toISOString(),
    })),
    query.limit,
  );
}
