import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { pushSubscriptionSchema } from "../../../../alerts/config.ts";
import { createDrizzleAlertStore } from "../../../../alerts/drizzle-store.ts";
import { pushEndpointProblem } from "../../../../alerts/egress.ts";
import { requireScope } from "../../../../auth/middleware.ts";
import { FacedriftError } from "../../../../errors.ts";
import type { AppEnv } from "../../../env.ts";
import { fromZodError } from "../../../handle-error.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { PushSubscriptionBodySchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/push/subscriptions",
  summary: "Subscribe this browser to the tenant's web-push alerts (re-subscribing replaces its keys)",
  description:
    "Needs the admin scope (the dashboard's session has it): the server POSTs to the endpoint, so a " +
    "read key must not be able to choose where. The endpoint must be https on a public address " +
    "(FACEDRIFT_PUSH_EGRESS).",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: PushSubscriptionBodySchema } } },
  },
  responses: {
    201: {
      description: "Stored",
      content: { "application/json": { schema: z.object({ endpoint: z.string() }) } },
    },
    400: errorResponse("Invalid subscription; `field` names it (`keys.p256dh`)"),
    ...authErrors,
  },
});

export function registerSubscribePush(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const parsed = pushSubscriptionSchema.safeParse(c.req.valid("json"));
    if (!parsed.success) throw fromZodError(parsed.error, "json");
    const { endpoint, keys } = parsed.data;
    const refused = pushEndpointProblem(endpoint, c.var.config.pushEgress);
    if (refused) {
      throw new FacedriftError("invalid_request", `endpoint ${refused}`, { field: "endpoint" });
    }
    await createDrizzleAlertStore(c.var.db).pushSubscriptions.add(c.var.principal.tenantId, {
      endpoint,
      keys,
    });
    return c.json({ endpoint }, 201);
  });
}
