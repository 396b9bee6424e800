import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { getStreamSettings } from "../../../../services/stream-settings/update.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { StreamSettingsSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/settings",
  summary: "The stream's batch-check schedule, window, retention and alert rules (defaults filled in)",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema },
  responses: {
    200: { description: "The settings", content: { "application/json": { schema: StreamSettingsSchema } } },
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerGetStreamSettings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const settings = await getStreamSettings(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    return c.json(settings, 200);
  });
}
