import { displayPrefix, generateSecret, hashSecret } from "../../auth/secret.ts";
import type { Executor } from "../../db/database.ts";
import type { ApiKeyScope } from "../../db/schema/api-key.ts";
import { apiKeys } from "../../db/schema/api-key.ts";
import { FacedriftError } from "../../errors.ts";
import { type ApiKeyView, apiKeyViewColumns, toApiKeyView } from "./view.ts";

export interface CreateApiKeyInput {
  /**
   * The tenant comes from the caller's own key (or the CLI's choice), never from the request
   * body, so an admin of one tenant cannot mint keys for another.
   */
  tenantId: number;
  name: string;
  scopes: ApiKeyScope[];
  /** Use this secret instead of a random one (only for `FACEDRIFT_ADMIN_KEY`). */
  secret?: string;
}

/** Creates a key and returns its secret; the secret is not stored and cannot be shown again. */
export async function createApiKey(
  db: Executor,
  input: CreateApiKeyInput,
): Promise<{ key: ApiKeyView; secret: string }> {
  if (input.scopes.length === 0) {
    throw new FacedriftError("invalid_request", "an API key needs at least one scope", { field: "scopes" });
  }
  const secret = input.secret ?? generateSecret();
  const [row] = await db
    .insert(apiKeys)
    .values({
      tenantId: input.tenantId,
      name: input.name,
      prefix: displayPrefix(secret),
      hash: hashSecret(secret),
      scopes: [...new Set(input.scopes)],
    })
    .returning(apiKeyViewColumns);
  if (!row) throw new Error("INSERT … RETURNING returned no row");
  return { key: toApiKeyView(row), secret };
}
