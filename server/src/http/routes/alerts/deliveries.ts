import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { withoutPeerText } from "../../../alerts/delivery-error.ts";
import { requireScope } from "../../../auth/middleware.ts";
import { hasScope } from "../../../auth/scopes.ts";
import { listDeliveries } from "../../../services/alerts/deliveries.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";
import { DeliveryListSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/alerts/{id}/deliveries",
  summary: "The alert's delivery log: every attempt on every channel, in order",
  description: "What a channel's peer answered (an error body, an SMTP reply) is shown to admin keys only.",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: idParamsSchema("alert") },
  responses: {
    200: { description: "The attempts", content: { "application/json": { schema: DeliveryListSchema } } },
    ...authErrors,
    404: errorResponse("No such alert for this tenant"),
  },
});

export function registerListAlertDeliveries(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const items = await listDeliveries(
      c.var.db,
      c.var.principal.tenantId,
      internalId(c.var.ids, "alert", c.req.valid("param").id),
    );
    // What a channel's peer answered is shown to admins only (`withoutPeerText`).
    if (!hasScope(c.var.principal.scopes, "admin")) {
      for (const item of items) if (item.error) item.error = withoutPeerText(item.error);
    }
    return c.json(publicIdsOut(c.var.ids, DeliveryListSchema, { items }), 200);
  });
}
