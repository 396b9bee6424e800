import type { ApiKeyScope } from "../db/schema/api-key.ts";

/** `admin` implies every other scope. */
export function hasScope(granted: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return granted.includes("admin") || granted.includes(needed);
}
