import { asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { streams } from "../../db/schema/stream.ts";
import { type StreamView, streamViewColumns, toStreamView } from "./view.ts";

/** The tenant's streams by name, with their counts (kept by ingestion, so no row counting). */
export async function listStreams(db: Executor, tenantId: number): Promise<StreamView[]> {
  const rows = await db
    .select(streamViewColumns)
    .from(streams)
    .where(eq(streams.tenantId, tenantId))
    .orderBy(asc(streams.name));
  return rows.map(toStreamView);
}
