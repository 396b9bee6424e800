import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { ApiKeyScope } from "../db/schema/api-key.ts";
import { FacedriftError } from "../errors.ts";
import type { AppEnv } from "../http/env.ts";
import { hasCredential, overBudget } from "../http/rate-limit.ts";
import { publicIdsOf } from "../ids/public-ids.ts";
import { authenticate, type Principal } from "../services/api-keys/authenticate.ts";
import { findSession } from "../services/sessions/sessions.ts";
import { hasScope } from "./scopes.ts";

/** The dashboard's session cookie (set by `POST /v1/session`). */
export const SESSION_COOKIE = "fd_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Requires `scope` (admin implies all) from either credential and puts the tenant in
 * `c.var.principal`:
 * - `Authorization: Bearer <key>` — API clients; checked before body parsing, so unauthenticated
 *   requests cost one indexed lookup and nothing more;
 * - the dashboard's session cookie — its users administer their tenant. Because browsers attach
 *   cookies to cross-site requests, every state-changing request must also echo the session's
 *   CSRF token in `X-CSRF-Token` (the synchronizer-token pattern; SameSite=Strict is the second
 *   layer).
 */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let principal: Principal;
    try {
      principal = await principalOf(c);
    } catch (error) {
      // A refused credential costs the client's address its anonymous budget (`http/rate-limit.ts`),
      // so guessing keys or session tokens is throttled per address, before any body is read.
      if (
        error instanceof FacedriftError &&
        error.code === "unauthorized" &&
        hasCredential(c, SESSION_COOKIE)
      ) {
        const wait = c.var.budgets.anonymous.take(c.var.clientAddressKey);
        if (wait > 0) throw overBudget(c, wait, "too many refused credentials from this address");
      }
      throw error;
    }
    if (!hasScope(principal.scopes, scope)) {
      throw new FacedriftError("forbidden", `this API key lacks the "${scope}" scope`);
    }
    // Budgeted by who is calling, however the credential was spelled.
    const wait = c.var.budgets.principal.take(principal.actor);
    if (wait > 0) {
      throw overBudget(
        c,
        wait,
        `more than ${c.var.budgets.principal.limit} requests per minute with this credential`,
      );
    }
    c.set("principal", principal);
    await next();
  };
}

async function principalOf(c: Context<AppEnv>): Promise<Principal> {
  const header = c.req.header("authorization");
  const sessionToken = header === undefined ? getCookie(c, SESSION_COOKIE) : undefined;
  if (sessionToken) {
    const session = await findSession(c.var.db, sessionToken);
    if (!session) throw new FacedriftError("unauthorized", "the session expired; log in again");
    if (!SAFE_METHODS.has(c.req.method) && c.req.header("x-csrf-token") !== session.csrfToken) {
      throw new FacedriftError("forbidden", "missing or wrong X-CSRF-Token for this session");
    }
    // The actor shows in incidents and alerts: named by the user's public id, as the API names users.
    const actor = `user:${(await publicIdsOf(c.var.db)).encode("user", session.userId)}`;
    return { keyId: 0, tenantId: session.tenantId, scopes: ["admin"], actor };
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  if (!match?.[1]) {
    c.header("WWW-Authenticate", 'Bearer realm="facedrift"');
    throw new FacedriftError("unauthorized", "send an API key as `Authorization: Bearer <key>`");
  }
  return authenticate(c.var.db, match[1]);
}
