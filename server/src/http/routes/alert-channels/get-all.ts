import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listAlertChannels } from "../../../services/alert-channels/list.ts";
import type { AppEnv } from "../../env.ts";
import { publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer } from "../common.ts";
import { AlertChannelListSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/alert-channels",
  summary: "The tenant's alert channels, secrets masked",
  security: bearer,
  middleware: [requireScope("read")] as const,
  responses: {
    200: { description: "The channels", content: { "application/json": { schema: AlertChannelListSchema } } },
    ...authErrors,
  },
});

export function registerListAlertChannels(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const items = await listAlertChannels(c.var.db, c.var.principal.tenantId);
    return c.json(publicIdsOut(c.var.ids, AlertChannelListSchema, { items }), 200);
  });
}
