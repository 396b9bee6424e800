import { and, asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { streams } from "../../db/schema/stream.ts";
import { type StreamView, streamViewColumns, toStreamView } from "./view.ts";

/**
 * The tenant's streams by name, with their counts (kept by ingestion, so no row counting). The
 * other model tracks of a transition (`stream~model@version`) are listed by the stream's
 * `/models`, not here.
 */
export async function listStreams(db: Executor, tenantId: number): Promise<StreamView[]> {
  const rows = await db
    .select(streamViewColumns)
    .from(streams)
    .where(and(eq(streams.tenantId, tenantId), sql`position('~' in ${streams.name}) = 0`))
    .orderBy(asc(streams.name));
  return rows.map(toStreamView);
}
