import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { FacedriftError } from "../errors.ts";
import type { AppEnv } from "../http/env.ts";

const INGEST_ROUTE = "/v1/streams/:stream/embeddings";
/** Any other method (clients may send made-up ones) is labelled "other". */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Times every request into `facedrift_http_request_duration_seconds`, labelled with the route
 * pattern (`/v1/streams/:stream/embeddings`), never the raw path: raw paths carry stream names
 * and ids, and anyone could mint new label values with made-up URLs. Unmatched requests share
 * one label. Refused ingestion requests also count into `facedrift_ingest_rejected_total`.
 */
export function httpMetrics(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const metrics = c.var.metrics;
    const route = routePattern(c);
    const status = c.res.status;
    metrics.httpDuration.observe(
      { method: METHODS.has(c.req.method) ? c.req.method : "other", route, status: String(status) },
      (performance.now() - start) / 1000,
    );
    if (route === INGEST_ROUTE && c.req.method === "POST" && status >= 400) {
      const reason = c.error instanceof FacedriftError ? c.error.code : `http_${status}`;
      metrics.ingestRejected.inc({ reason });
    }
  };
}

/** The pattern of the handler that matched: the last matched route that is not a middleware. */
function routePattern(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return "unmatched";
}
