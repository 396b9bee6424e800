import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { deleteAlertChannel } from "../../../services/alert-channels/delete.ts";
import { actorOf } from "../../../services/audit/record.ts";
import type { AppEnv } from "../../env.ts";
import { internalId } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";

const route = createRoute({
  method: "delete",
  path: "/v1/alert-channels/{id}",
  summary: "Delete an alert channel (its delivery history is kept)",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { params: idParamsSchema("alert-channel") },
  responses: {
    204: { description: "Deleted" },
    ...authErrors,
    404: errorResponse("No such channel for this tenant"),
  },
});

export function registerDeleteAlertChannel(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    await deleteAlertChannel(c.var.db, {
      tenantId: c.var.principal.tenantId,
      id: internalId(c.var.ids, "alert-channel", c.req.valid("param").id),
      actor: actorOf(c.var.principal),
    });
    return c.body(null, 204);
  });
}
