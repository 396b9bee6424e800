import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { dashboardBaseUrl } from "../../../config/config.ts";
import { acknowledgeAlert } from "../../../services/alerts/acknowledge.ts";
import { resolveTicketOfAcknowledged } from "../../../services/alerts/resolve-ticket.ts";
import { actorOf } from "../../../services/audit/record.ts";
import type { AppEnv } from "../../env.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { IdParamsSchema } from "../paging.ts";
import { AcknowledgeBodySchema, AlertSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/alerts/{id}/acknowledge",
  summary: "Acknowledge an alert, with an optional note; acknowledging again changes nothing",
  description:
    "Needs the read scope: acknowledging is what the people watching alerts do, not configuration. " +
    "Acknowledging a drift run's alert resolves its ticket in the GitHub and Jira channels (a comment, then closed).",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: {
    params: IdParamsSchema,
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
    const { tenantId } = c.var.principal;
    const id = c.req.valid("param").id;
    const { alert, changed } = await acknowledgeAlert(c.var.db, {
      tenantId,
      id,
      actor: actorOf(c.var.principal),
      ...(body.note === undefined ? {} : { note: body.note }),
    });
    if (changed) {
      // After the commit and never awaited, as alerts are dispatched: a tracker's outage must
      // not hold the acknowledgement. The attempts land in the alert's delivery log.
      void resolveTicketOfAcknowledged(
        c.var.db,
        { tenantId, alertId: id, dashboardBaseUrl: dashboardBaseUrl(c.var.config) },
        {
          logger: c.var.log,
        },
      ).catch((error) =>
        c.var.log("error", "ticket resolution failed", { alertId: id, error: String(error) }),
      );
    }
    return c.json(alert, 200);
  });
}
