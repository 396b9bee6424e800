import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { setCookie } from "hono/cookie";
import { LoginLimiter } from "../../../auth/login-limiter.ts";
import { SESSION_COOKIE } from "../../../auth/middleware.ts";
import { FacedriftError } from "../../../errors.ts";
import { createSession, SESSION_TTL_MS } from "../../../services/sessions/sessions.ts";
import { checkCredentials } from "../../../services/users/login.ts";
import type { AppEnv } from "../../env.ts";
import { publicIdsOut } from "../../public-ids.ts";
import { errorResponse } from "../common.ts";
import { LoginBodySchema, SessionSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/session",
  summary: "Log in to the dashboard: sets an HttpOnly session cookie and returns the CSRF token",
  request: { body: { required: true, content: { "application/json": { schema: LoginBodySchema } } } },
  responses: {
    200: { description: "Logged in", content: { "application/json": { schema: SessionSchema } } },
    400: errorResponse("Invalid input"),
    401: errorResponse("Wrong e-mail or password"),
    429: errorResponse("Too many failed logins; retry later"),
  },
});

export function registerLogin(app: OpenAPIHono<AppEnv>, limiter = new LoginLimiter()): void {
  app.openapi(route, async (c) => {
    const { email, password } = c.req.valid("json");
    const address = c.var.clientAddressKey;
    const account = email.trim().toLowerCase();
    const wait = limiter.retryAfter(address, account);
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      throw new FacedriftError("too_many_requests", "too many failed logins; try again later");
    }
    let user: Awaited<ReturnType<typeof checkCredentials>>;
    try {
      user = await checkCredentials(c.var.db, email, password);
    } catch (error) {
      limiter.fail(address, account);
      throw error;
    }
    limiter.succeed(address, account);
    const session = await createSession(c.var.db, user.userId);
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      // Browsers treat http://localhost as a secure context, so Secure works in development too.
      secure: true,
      sameSite: "Strict",
      path: "/",
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    return c.json(
      publicIdsOut(c.var.ids, SessionSchema, {
        user: { id: user.userId, email: email.trim().toLowerCase() },
        tenantId: user.tenantId,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      }),
      200,
    );
  });
}
