import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listAlerts } from "../../../services/alerts/list.ts";
import type { AppEnv } from "../../env.ts";
import { cursorId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { timeRange } from "../paging.ts";
import { AlertPageSchema, AlertQuerySchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/alerts",
  summary:
    "The tenant's findings (alerts), newest first, filtered by stream, detector, severity, state, incident and time",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { query: AlertQuerySchema },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: AlertPageSchema } } },
    400: errorResponse("Invalid query; `field` names it"),
    ...authErrors,
  },
});

export function registerListAlerts(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listAlerts(c.var.db, {
      tenantId: c.var.principal.tenantId,
      ...timeRange(q),
      ...(q.stream === undefined ? {} : { stream: q.stream }),
      ...(q.detector === undefined ? {} : { detector: q.detector }),
      ...(q.severity === undefined ? {} : { severity: q.severity }),
      ...(q.acknowledged === undefined ? {} : { acknowledged: q.acknowledged === "true" }),
      ...(q.incident === undefined
        ? {}
        : { incident: cursorId(c.var.ids, "incident", q.incident, "incident") as number }),
      ...(q.before === undefined ? {} : { before: cursorId(c.var.ids, "alert", q.before) as number }),
      limit: q.limit,
    });
    return c.json(publicIdsOut(c.var.ids, AlertPageSchema, page), 200);
  });
}
