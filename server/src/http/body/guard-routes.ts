/**
 * @module
 * Every route that declares a JSON body gets {@link jsonBody} appended to its own middleware, so
 * the order "authenticate, charge the budget, then read" holds for every route without each
 * route file having to remember it (and no route is left reading bodies unguarded).
 */
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { jsonBody } from "./json-body.ts";

type Register = (route: RouteConfig, handler: unknown, hook?: unknown) => unknown;

export function readBodiesAfterRouteMiddleware(app: OpenAPIHono<AppEnv>): void {
  const register = app.openapi as unknown as Register;
  const reader = jsonBody();
  const guarded: Register = (route, handler, hook) => {
    const content = route.request?.body?.content as Record<string, unknown> | undefined;
    if (!content || !("application/json" in content)) return register(route, handler, hook);
    const own = route.middleware === undefined ? [] : [route.middleware].flat();
    const middleware = [...(own as MiddlewareHandler<AppEnv>[]), reader];
    return register({ ...route, middleware } as RouteConfig, handler, hook);
  };
  (app as unknown as { openapi: Register }).openapi = guarded;
}
