import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { hashSecret } from "../../auth/secret.ts";
import type { Executor } from "../../db/database.ts";
import type { ApiKeyScope } from "../../db/schema/api-key.ts";
import { apiKeys } from "../../db/schema/api-key.ts";
import { FacedriftError } from "../../errors.ts";
import { publicIdsOf } from "../../ids/public-ids.ts";

export interface Principal {
  /** The API key's id; 0 for a dashboard user. */
  keyId: number;
  tenantId: number;
  scopes: ApiKeyScope[];
  /** Who acts, for logs and the audit trail: `key:<public id>` or `user:<public id>`. */
  actor: string;
}

/** `last_used_at` is refreshed at most this often, so auth is one read, not a write, per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const lastTouched = new Map<number, number>();

/** Resolves a bearer secret to its key, or fails with `unauthorized` (unknown or revoked). */
export async function authenticate(db: Executor, secret: string, now = Date.now()): Promise<Principal> {
  const [row] = await db
    .select({ id: apiKeys.id, tenantId: apiKeys.tenantId, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashSecret(secret)), isNull(apiKeys.revokedAt)));
  if (!row) throw new FacedriftError("unauthorized", "the API key is unknown or revoked");
  const keyId = Number(row.id);
  if (now - (lastTouched.get(keyId) ?? 0) >= LAST_USED_RESOLUTION_MS) {
    lastTouched.set(keyId, now);
    await db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, keyId),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      );
  }
  // The actor shows in incidents and alerts (acknowledgedBy, …): named by the key's public id, the
  // id GET /v1/api-keys lists, never the row id that counts every tenant's keys.
  const actor = `key:${(await publicIdsOf(db)).encode("api-key", keyId)}`;
  return { keyId, tenantId: Number(row.tenantId), scopes: row.scopes, actor };
}
