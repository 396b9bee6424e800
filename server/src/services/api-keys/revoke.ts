import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { apiKeys } from "../../db/schema/api-key.ts";
import { FacedriftError } from "../../errors.ts";
import { type ApiKeyView, apiKeyViewColumns, toApiKeyView } from "./view.ts";

/** Revokes one of the tenant's keys. Revoking twice keeps the first time; another tenant's key is 404. */
export async function revokeApiKey(db: Executor, tenantId: number, id: number): Promise<ApiKeyView> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId)))
    .returning(apiKeyViewColumns);
  if (!row) throw new FacedriftError("not_found", "no such API key");
  return toApiKeyView(row);
}
