import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { getIncident } from "../../../services/incidents/get.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";
import { IncidentDetailSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/incidents/{id}",
  summary: "One incident with its timeline: history, findings and what each channel was sent",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: idParamsSchema("incident") },
  responses: {
    200: { description: "The incident", content: { "application/json": { schema: IncidentDetailSchema } } },
    ...authErrors,
    404: errorResponse("No such incident for this tenant"),
  },
});

export function registerGetIncident(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const incident = await getIncident(
      c.var.db,
      c.var.principal.tenantId,
      internalId(c.var.ids, "incident", c.req.valid("param").id),
    );
    return c.json(publicIdsOut(c.var.ids, IncidentDetailSchema, incident), 200);
  });
}
