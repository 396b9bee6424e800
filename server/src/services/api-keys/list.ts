import { asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { apiKeys } from "../../db/schema/api-key.ts";
import { type ApiKeyView, apiKeyViewColumns, toApiKeyView } from "./view.ts";

/** The tenant's keys, revoked ones included, oldest first; no secrets. */
export async function listApiKeys(db: Executor, tenantId: number): Promise<ApiKeyView[]> {
  const rows = await db
    .select(apiKeyViewColumns)
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(asc(apiKeys.id));
  return rows.map(toApiKeyView);
}
