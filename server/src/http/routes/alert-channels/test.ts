import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { testAlertChannel } from "../../../services/alert-channels/test.ts";
import type { AppEnv } from "../../env.ts";
import { internalId } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";
import { ChannelTestResultSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/alert-channels/{id}/test",
  summary: "Send a test alert through the channel, once, and report how it went",
  description: "200 either way: `delivered` and `error` say what the channel's peer answered.",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { params: idParamsSchema("alert-channel") },
  responses: {
    200: { description: "The attempt", content: { "application/json": { schema: ChannelTestResultSchema } } },
    ...authErrors,
    404: errorResponse("No such channel for this tenant"),
  },
});

export function registerTestAlertChannel(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const result = await testAlertChannel(c.var.db, {
      tenantId: c.var.principal.tenantId,
      id: internalId(c.var.ids, "alert-channel", c.req.valid("param").id),
      // Links in the test alert point back at the server that was asked.
      baseUrl: new URL(c.req.url).origin,
    });
    return c.json(result, 200);
  });
}
