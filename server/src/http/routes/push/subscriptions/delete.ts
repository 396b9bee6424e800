import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { createDrizzleAlertStore } from "../../../../alerts/drizzle-store.ts";
import { requireScope } from "../../../../auth/middleware.ts";
import { FacedriftError } from "../../../../errors.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { UnsubscribeBodySchema } from "./schema.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/push/subscriptions",
  summary: "Unsubscribe a browser by its push endpoint",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { body: { required: true, content: { "application/json": { schema: UnsubscribeBodySchema } } } },
  responses: {
    204: { description: "Removed" },
    400: errorResponse("Invalid input"),
    ...authErrors,
    404: errorResponse("No such subscription for this tenant"),
  },
});

export function registerUnsubscribePush(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { endpoint } = c.req.valid("json");
    const removed = await createDrizzleAlertStore(c.var.db).pushSubscriptions.remove(
      c.var.principal.tenantId,
      endpoint,
    );
    if (!removed)
      throw new FacedriftError("not_found", "no subscription with that endpoint", { field: "endpoint" });
    return c.body(null, 204);
  });
}
