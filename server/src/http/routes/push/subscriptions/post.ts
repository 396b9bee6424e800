import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { pushSubscriptionSchema } from "../../../../alerts/config.ts";
import { createDrizzleAlertStore } from "../../../../alerts/drizzle-store.ts";
import { checkChannelTargets } from "../../../../alerts/egress.ts";
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
  security: bearer,
  middleware: [requireScope("read")] as const,
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
    const refused = checkChannelTargets({ type: "webpush", endpoint }, c.var.config.channelEgress);
    if (refused) throw new FacedriftError("invalid_request", `${refused.field}: ${refused.why}`, refused);
    await createDrizzleAlertStore(c.var.db).pushSubscriptions.add(c.var.principal.tenantId, {
      endpoint,
      keys,
    });
    return c.json({ endpoint }, 201);
  });
}
