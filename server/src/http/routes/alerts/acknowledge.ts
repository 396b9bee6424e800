import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { acknowledgeAlert } from "../../../services/alerts/acknowledge.ts";
import { actorOf } from "../../../services/audit/record.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";
import { AcknowledgeBodySchema, AlertSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/alerts/{id}/acknowledge",
  summary: "Acknowledge an alert, with an optional note; acknowledging again changes nothing",
  description:
    "Needs the read scope: acknowledging is what the people watching alerts do, not configuration.",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: {
    params: idParamsSchema("alert"),
    body: { required: false, content: { "application/json": { schema: AcknowledgeBodySchema } } },
  },
  responses: {
    200: { description: "The alert", content: { "application/json": { schema: AlertSchema } } },
    400: errorResponse("Invalid input"),
    ...authErrors,
    404: errorResponse("No such alert for this tenant"),
  },
});

export function registerAcknowledgeAlert(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = (c.req.valid("json") as { note?: string } | undefined) ?? {};
    const alert = await acknowledgeAlert(c.var.db, {
      tenantId: c.var.principal.tenantId,
      id: internalId(c.var.ids, "alert", c.req.valid("param").id),
      actor: actorOf(c.var.principal),
      ...(body.note === undefined ? {} : { note: body.note }),
    });
    return c.json(publicIdsOut(c.var.ids, AlertSchema, alert), 200);
  });
}
