import { timingSafeEqual } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { FacedriftError } from "../../../errors.ts";
import type { AppEnv } from "../../env.ts";

/**
 * `GET /metrics`, the Prometheus exposition. Who may scrape:
 *
 * - with `FACEDRIFT_METRICS_TOKEN` set, only `Authorization: Bearer <that token>`, from anywhere.
 *   It is a separate secret, not an API key: a scraper config holding it can read operational
 *   numbers and nothing else;
 * - without it, only connections from the loopback interface (a Prometheus or an agent on the
 *   same host). Behind a reverse proxy on the same host every request looks local, so set the
 *   token there.
 *
 * Refusals are 401/403 in the API's error shape. The exposition names streams, so it is not
 * public by default.
 */
export function registerMetrics(app: OpenAPIHono<AppEnv>): void {
  app.get("/metrics", async (c) => {
    authorize(c);
    const registry = c.var.metrics.registry;
    const body = await registry.metrics();
    return c.body(body, 200, { "content-type": registry.contentType });
  });
}

function authorize(c: Context<AppEnv>): void {
  const token = c.var.config.metricsToken;
  if (token) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    if (!match?.[1] || !sameSecret(match[1], token)) {
      c.header("WWW-Authenticate", 'Bearer realm="facedrift-metrics"');
      throw new FacedriftError("unauthorized", "send the metrics token as `Authorization: Bearer <token>`");
    }
    return;
  }
  if (!isLoopback(remoteAddress(c))) {
    throw new FacedriftError(
      "forbidden",
      "/metrics answers loopback clients only; set FACEDRIFT_METRICS_TOKEN to scrape from elsewhere",
    );
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The peer address from @hono/node-server's bindings; undefined elsewhere (then: not loopback). */
function remoteAddress(c: Context<AppEnv>): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || /^127\./.test(address) || /^::ffff:127\./.test(address);
}
