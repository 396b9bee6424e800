import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { updateStreamSettings } from "../../../../services/stream-settings/update.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { StreamSettingsPatchSchema, StreamSettingsSchema } from "./schema.ts";

const route = createRoute({
  method: "patch",
  path: "/v1/streams/{stream}/settings",
  summary: "Change some of the stream's settings; the others are kept",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: {
    params: StreamParamsSchema,
    body: { required: true, content: { "application/json": { schema: StreamSettingsPatchSchema } } },
  },
  responses: {
    200: {
      description: "The settings now",
      content: { "application/json": { schema: StreamSettingsSchema } },
    },
    400: errorResponse("Invalid input; `field` names it (`schedule`, `alertRules.psiRuns`)"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerUpdateStreamSettings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const settings = await updateStreamSettings(c.var.db, {
      tenantId: c.var.principal.tenantId,
      name: c.req.valid("param").stream,
      actor: c.var.principal.actor,
      patch: c.req.valid("json"),
    });
    return c.json(settings, 200);
  });
}
