import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { listPushSubscriptions } from "../../../../services/push-subscriptions/list.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer } from "../../common.ts";

const SubscriptionListSchema = z
  .object({
    items: z.array(
      z.object({
        endpoint: z.string(),
        service: z.string().openapi({ example: "fcm.googleapis.com" }),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi("PushSubscriptions");

const route = createRoute({
  method: "get",
  path: "/v1/push/subscriptions",
  summary: "The browsers subscribed to the tenant's web-push alerts (endpoints only, never keys)",
  security: bearer,
  middleware: [requireScope("read")] as const,
  responses: {
    200: {
      description: "The subscriptions",
      content: { "application/json": { schema: SubscriptionListSchema } },
    },
    ...authErrors,
  },
});

export function registerListPushSubscriptions(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    return c.json({ items: await listPushSubscriptions(c.var.db, c.var.principal.tenantId) }, 200);
  });
}
