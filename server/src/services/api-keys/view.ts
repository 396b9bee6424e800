import type { ApiKeyScope } from "../../db/schema/api-key.ts";
import { apiKeys } from "../../db/schema/api-key.ts";

/** An API key as shown to people: never the secret or its hash. */
export interface ApiKeyView {
  id: number;
  tenantId: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const apiKeyViewColumns = {
  id: apiKeys.id,
  tenantId: apiKeys.tenantId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

type Row = { [K in keyof typeof apiKeyViewColumns]: unknown };

const iso = (value: unknown): string | null =>
  value === null || value === undefined ? null : new Date(value as string | Date).toISOString();

export function toApiKeyView(row: Row): ApiKeyView {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenantId),
    name: String(row.name),
    prefix: String(row.prefix),
    scopes: row.scopes as ApiKeyScope[],
    createdAt: iso(row.createdAt) ?? "",
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}
