import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";

/** One log line per request: method, path (no query string), status, duration. No headers, so no keys. */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    c.var.log("info", "request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
    });
  };
}
