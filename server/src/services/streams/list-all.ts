import { asc } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { streams } from "../../db/schema/stream.ts";

export interface WorkerStream {
  id: number;
  tenantId: number;
  name: string;
  modelId: string;
  modelVersion: string;
  dimension: number;
  lastSeq: number;
}

/**
 * Every stream of every tenant, for the drift workers (which run for the whole installation).
 * Not for HTTP handlers: those must go through the tenant-scoped `listStreams`.
 */
export async function listAllStreams(db: Executor): Promise<WorkerStream[]> {
  const rows = await db
    .select({
      id: streams.id,
      tenantId: streams.tenantId,
      name: streams.name,
      modelId: streams.modelId,
      modelVersion: streams.modelVersion,
      dimension: streams.dimension,
      lastSeq: streams.lastSeq,
    })
    .from(streams)
    .orderBy(asc(streams.id));
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    tenantId: Number(r.tenantId),
    dimension: Number(r.dimension),
    lastSeq: Number(r.lastSeq),
  }));
}
