import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { dispatchNotification } from "../../../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../../../alerts/drizzle-store.ts";
import { requireScope } from "../../../auth/middleware.ts";
import { dashboardBaseUrl } from "../../../config/config.ts";
import { actorOf } from "../../../services/audit/record.ts";
import { resolveIncident } from "../../../services/incidents/resolve.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";
import { IncidentDetailSchema, IncidentNoteSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/incidents/{id}/resolve",
  summary: "Resolve an incident, with an optional note; channels that heard of it are told",
  description:
    "Needs the read scope, like acknowledging. The stream's next finding opens a new incident. Resolving a resolved incident changes nothing.",
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
  },
});

export function registerResolveIncident(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = (c.req.valid("json") as { note?: string } | undefined) ?? {};
    const { incident, notification } = await resolveIncident(c.var.db, {
      tenantId: c.var.principal.tenantId,
      id: internalId(c.var.ids, "incident", c.req.valid("param").id),
      actor: actorOf(c.var.principal),
      dashboardBaseUrl: dashboardBaseUrl(c.var.config),
      ...(body.note === undefined ? {} : { note: body.note }),
    });
    // Fire-and-forget, as the detectors do: dispatchNotification never rejects.
    if (notification) void dispatchNotification(notification, createDrizzleAlertStore(c.var.db));
    return c.json(publicIdsOut(c.var.ids, IncidentDetailSchema, incident), 200);
  });
}
