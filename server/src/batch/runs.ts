import { and, desc, eq, lt } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { driftRuns } from "../db/schema/drift-run.ts";
import { FacedriftError } from "../errors.ts";

/** A stored batch run as the API and CLI show it: every number is in `results`. */
export interface RunView {
  id: number;
  kind: string;
  status: string;
  severity: string | null;
  drift: boolean | null;
  referenceSetId: number | null;
  idempotencyKey: string | null;
  windowStart: string | null;
  windowEnd: string | null;
  fromSeq: number | null;
  toSeq: number | null;
  results: Record<string, unknown>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

type Row = typeof driftRuns.$inferSelect;

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export function toRunView(row: Row): RunView {
  return {
    id: Number(row.id),
    kind: row.kind,
    status: row.status,
    severity: row.severity,
    drift: row.drift,
    referenceSetId: row.referenceSetId === null ? null : Number(row.referenceSetId),
    idempotencyKey: row.idempotencyKey,
    windowStart: iso(row.windowStart),
    windowEnd: iso(row.windowEnd),
    fromSeq: row.fromSeq === null ? null : Number(row.fromSeq),
    toSeq: row.toSeq === null ? null : Number(row.toSeq),
    results: row.results,
    error: row.error,
    startedAt: iso(row.startedAt) as string,
    finishedAt: iso(row.finishedAt),
  };
}

export async function getRun(db: Executor, streamId: number, runId: number): Promise<RunView> {
  const [row] = await db
    .select()
    .from(driftRuns)
    .where(and(eq(driftRuns.streamId, streamId), eq(driftRuns.id, runId)));
  if (!row) throw new FacedriftError("not_found", "no such run", { field: "run" });
  return toRunView(row);
}

/** A page of a stream's runs, newest first; pass the last id as `beforeId` for the next page. */
export async function listRuns(
  db: Executor,
  streamId: number,
  page: { limit: number; beforeId?: number },
): Promise<{ runs: RunView[]; nextBeforeId: number | null }> {
  const limit = Math.max(1, Math.min(200, Math.trunc(page.limit)));
  const rows = await db
    .select()
    .from(driftRuns)
    .where(
      page.beforeId === undefined
        ? eq(driftRuns.streamId, streamId)
        : and(eq(driftRuns.streamId, streamId), lt(driftRuns.id, page.beforeId)),
    )
    .orderBy(desc(driftRuns.id))
    .limit(limit);
  const runs = rows.map(toRunView);
  return { runs, nextBeforeId: runs.length === limit ? (runs.at(-1)?.id ?? null) : null };
}
