import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { actorOf } from "../../../services/audit/record.ts";
import { acknowledgeIncident } from "../../../services/incidents/acknowledge.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";
import { IncidentDetailSchema, IncidentNoteSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/incidents/{id}/acknowledge",
  summary: "Acknowledge an open incident, with an optional note; acknowledging again changes nothing",
  description:
    "Needs the read scope: acknowledging is what the people watching incidents do. Findings keep attaching and an escalation still notifies.",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: {
    params: idParamsSchema("incident"),
    body: { required: false, content: { "application/json": { schema: IncidentNoteSchema } } },
  },
  responses: {
    200: { description: "The incident", content: { "application/json": { schema: IncidentDetailSchema } } },
    400: errorResponse("Invalid input"),
    ...authErrors,
    404: errorResponse("No such incident for this tenant"),
    409: errorResponse("The incident is resolved"),
  },
});

export function registerAcknowledgeIncident(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = (c.req.valid("json") as { note?: string } | undefined) ?? {};
    const incident = await acknowledgeIncident(c.var.db, {
      tenantId: c.var.principal.tenantId,
      id: internalId(c.var.ids, "incident", c.req.valid("param").id),
      actor: actorOf(c.var.principal),
      ...(body.note === undefined ? {} : { note: body.note }),
    });
    return c.json(publicIdsOut(c.var.ids, IncidentDetailSchema, incident), 200);
  });
}
