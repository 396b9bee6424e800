import { and, eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { streams } from "../../db/schema/stream.ts";
import { FacedriftError } from "../../errors.ts";
import { type StreamView, streamViewColumns, toStreamView } from "./view.ts";

/**
 * One of the tenant's streams by name. Another tenant's stream of the same name is simply not
 * found: 404, never 403, so names do not leak across tenants.
 */
export async function getStream(db: Executor, tenantId: number, name: string): Promise<StreamView> {
  const [row] = await db
    .select(streamViewColumns)
    .from(streams)
    .where(and(eq(streams.tenantId, tenantId), eq(streams.name, name)));
  if (!row) throw new FacedriftError("not_found", `stream "${name}" does not exist`, { field: "stream" });
  return toStreamView(row);
}
