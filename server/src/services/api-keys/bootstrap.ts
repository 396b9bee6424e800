import { count, eq } from "drizzle-orm";
import { hashSecret } from "../../auth/secret.ts";
import type { Db } from "../../db/database.ts";
import { apiKeys } from "../../db/schema/api-key.ts";
import { ensureTenant } from "../tenants/default.ts";
import { createApiKey } from "./create.ts";

export interface BootstrapResult {
  /** Set only when a key was generated now: print it once, it is not stored. */
  generatedSecret?: string;
  seeded: boolean;
}

/**
 * Makes sure someone can administer the server. With `FACEDRIFT_ADMIN_KEY`, that key exists as an
 * admin key of the default tenant (added if missing). Without it, the very first start generates
 * an admin key and returns its secret for the caller to print once.
 */
export async function bootstrapAdminKey(db: Db, adminKey: string | undefined): Promise<BootstrapResult> {
  const tenantId = await ensureTenant(db);
  if (adminKey) {
    const existing = await db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(eq(apiKeys.hash, hashSecret(adminKey)));
    if (existing.length > 0) return { seeded: false };
    await createApiKey(db, { tenantId, name: "FACEDRIFT_ADMIN_KEY", scopes: ["admin"], secret: adminKey });
    return { seeded: true };
  }
  const [total] = await db.select({ n: count() }).from(apiKeys);
  if ((total?.n ?? 0) > 0) return { seeded: false };
  const { secret } = await createApiKey(db, { tenantId, name: "first admin key", scopes: ["admin"] });
  return { seeded: true, generatedSecret: secret };
}
