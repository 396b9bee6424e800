import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { deleteCookie, getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../../../auth/middleware.ts";
import { FacedriftError } from "../../../errors.ts";
import { deleteSession, findSession } from "../../../services/sessions/sessions.ts";
import type { AppEnv } from "../../env.ts";
import { publicIdsOut } from "../../public-ids.ts";
import { errorResponse } from "../common.ts";
import { SessionSchema } from "./schema.ts";

const current = createRoute({
  method: "get",
  path: "/v1/session",
  summary: "The logged-in dashboard user and the session's CSRF token",
  responses: {
    200: { description: "Logged in", content: { "application/json": { schema: SessionSchema } } },
    401: errorResponse("Not logged in"),
  },
});

const logout = createRoute({
  method: "delete",
  path: "/v1/session",
  summary: "Log out: ends the session and clears the cookie",
  responses: { 204: { description: "Logged out" } },
});

export function registerSession(app: OpenAPIHono<AppEnv>): void {
  app.openapi(current, async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await findSession(c.var.db, token) : null;
    if (!session) throw new FacedriftError("unauthorized", "not logged in");
    return c.json(
      publicIdsOut(c.var.ids, SessionSchema, {
        user: { id: session.userId, email: session.email },
        tenantId: session.tenantId,
        csrfToken: session.csrfToken,
      }),
      200,
    );
  });
  app.openapi(logout, async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteSession(c.var.db, token);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.body(null, 204);
  });
}
