import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { alertActivity } from "../../../services/dashboard/alert-activity.ts";
import { getStream } from "../../../services/streams/get.ts";
import type { AppEnv } from "../../env.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { timeRange } from "../paging.ts";
import { AlertActivityQuerySchema, AlertActivitySchema } from "./schema.ts";

const DEFAULT_SPAN_MS = { hour: 48 * 3_600_000, day: 30 * 86_400_000 } as const;

const route = createRoute({
  method: "get",
  path: "/v1/alert-activity",
  summary: "Findings by severity and incidents opened, per hour or per day (UTC), for the alerts bar chart",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { query: AlertActivityQuerySchema },
  responses: {
    200: {
      description: "One bar per bucket, zeros included",
      content: { "application/json": { schema: AlertActivitySchema } },
    },
    400: errorResponse("Invalid query; `field` names it (too many bars is `from`)"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerAlertActivity(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const { tenantId } = c.var.principal;
    const range = timeRange(q);
    const to = range.to ?? new Date();
    const from = range.from ?? new Date(to.getTime() - DEFAULT_SPAN_MS[q.bucket]);
    const streamId = q.stream === undefined ? undefined : (await getStream(c.var.db, tenantId, q.stream)).id;
    const activity = await alertActivity(c.var.db, {
      tenantId,
      bucket: q.bucket,
      from,
      to,
      ...(streamId === undefined ? {} : { streamId }),
    });
    return c.json(activity, 200);
  });
}
