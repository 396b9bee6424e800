import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { channelConfigSchema } from "../../../alerts/config.ts";
import { checkChannelTargets } from "../../../alerts/egress.ts";
import { requireScope } from "../../../auth/middleware.ts";
import { FacedriftError } from "../../../errors.ts";
import { createAlertChannel } from "../../../services/alert-channels/create.ts";
import { actorOf } from "../../../services/audit/record.ts";
import type { AppEnv } from "../../env.ts";
import { fromZodError } from "../../handle-error.ts";
import { publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { AlertChannelSchema, CreateChannelBodySchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/alert-channels",
  summary: "Add an alert channel (webhook, Slack, PagerDuty, e-mail, web push)",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateChannelBodySchema } } } },
  responses: {
    201: {
      description: "Created (secrets masked)",
      content: { "application/json": { schema: AlertChannelSchema } },
    },
    400: errorResponse("Invalid config; `field` names it (`url`, `secret`, `to[1]`)"),
    ...authErrors,
    409: errorResponse("A channel of that name exists"),
  },
});

export function registerCreateAlertChannel(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { name, enabled, ...rest } = c.req.valid("json");
    const parsed = channelConfigSchema.safeParse(rest);
    if (!parsed.success) throw fromZodError(parsed.error, "json");
    const refused = checkChannelTargets(parsed.data, c.var.config.channelEgress);
    if (refused) throw new FacedriftError("invalid_request", `${refused.field}: ${refused.why}`, refused);
    const channel = await createAlertChannel(c.var.db, {
      tenantId: c.var.principal.tenantId,
      actor: actorOf(c.var.principal),
      config: parsed.data,
      ...(name === undefined ? {} : { name }),
      ...(enabled === undefined ? {} : { enabled }),
    });
    return c.json(publicIdsOut(c.var.ids, AlertChannelSchema, channel), 201);
  });
}
