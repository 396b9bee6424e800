import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listDeliveries } from "../../../services/alerts/deliveries.ts";
import type { AppEnv } from "../../env.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { IdParamsSchema } from "../paging.ts";
import { DeliveryListSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/alerts/{id}/deliveries",
  summary: "The alert's delivery log: every attempt on every channel, in order",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: IdParamsSchema },
  responses: {
    200: { description: "The attempts", content: { "application/json": { schema: DeliveryListSchema } } },
    ...authErrors,
    404: errorResponse("No such alert for this tenant"),
  },
});

export function registerListAlertDeliveries(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const items = await listDeliveries(c.var.db, c.var.principal.tenantId, c.req.valid("param").id);
    return c.json({ items }, 200);
  });
}
