import type { MiddlewareHandler } from "hono";
import type { ApiKeyScope } from "../db/schema/api-key.ts";
import { FacedriftError } from "../errors.ts";
import type { AppEnv } from "../http/env.ts";
import { authenticate } from "../services/api-keys/authenticate.ts";
import { hasScope } from "./scopes.ts";

/**
 * Requires `Authorization: Bearer <key>` with `scope` (admin implies all) and puts the key's
 * tenant in `c.var.principal`. It runs before body parsing, so unauthenticated requests cost
 * one indexed lookup and nothing more.
 */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      c.header("WWW-Authenticate", 'Bearer realm="facedrift"');
      throw new FacedriftError("unauthorized", "send an API key as `Authorization: Bearer <key>`");
    }
    const principal = await authenticate(c.var.db, match[1]);
    if (!hasScope(principal.scopes, scope)) {
      throw new FacedriftError("forbidden", `this API key lacks the "${scope}" scope`);
    }
    c.set("principal", principal);
    await next();
  };
}
