import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listIncidents } from "../../../services/incidents/list.ts";
import type { AppEnv } from "../../env.ts";
import { cursorId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { timeRange } from "../paging.ts";
import { IncidentPageSchema, IncidentQuerySchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/incidents",
  summary:
    "The tenant's incidents, newest first, filtered by stream, status, least severity, category and when they opened",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { query: IncidentQuerySchema },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: IncidentPageSchema } } },
    400: errorResponse("Invalid query; `field` names it"),
    ...authErrors,
  },
});

export function registerListIncidents(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listIncidents(c.var.db, {
      tenantId: c.var.principal.tenantId,
      ...timeRange(q),
      ...(q.stream === undefined ? {} : { stream: q.stream }),
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.severity === undefined ? {} : { severity: q.severity }),
      ...(q.category === undefined ? {} : { category: q.category }),
      ...(q.before === undefined ? {} : { before: cursorId(c.var.ids, "incident", q.before) as number }),
      limit: q.limit,
    });
    return c.json(publicIdsOut(c.var.ids, IncidentPageSchema, page), 200);
  });
}
