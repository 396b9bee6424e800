import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listVerificationRuns } from "../../../verification/runs.ts";
import type { AppEnv } from "../../env.ts";
import { cursorId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { timeRange } from "../paging.ts";
import { VerificationRunPageSchema, VerificationRunQuerySchema } from "./schema.ts";

/**
 * The tenant's stored verification runs, newest first: the dashboard's AUC/EER history. Runs are
 * started by `facedrift verify --store` (reading pairs and photos from the server's disk), not
 * over HTTP: uploading a labelled photo set in a request body is a different feature.
 */
const route = createRoute({
  method: "get",
  path: "/v1/verification-runs",
  summary: "The tenant's verification runs (AUC, EER, TAR@FAR), newest first, filtered by stream and model",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { query: VerificationRunQuerySchema },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: VerificationRunPageSchema } } },
    400: errorResponse("Invalid query; `field` names it"),
    ...authErrors,
  },
});

export function registerListVerificationRuns(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listVerificationRuns(c.var.db, {
      tenantId: c.var.principal.tenantId,
      ...timeRange(q),
      ...(q.stream === undefined ? {} : { stream: q.stream }),
      ...(q.model === undefined ? {} : { model: q.model }),
      ...(q.before === undefined
        ? {}
        : { before: cursorId(c.var.ids, "verification-run", q.before) as number }),
      limit: q.limit,
    });
    return c.json(publicIdsOut(c.var.ids, VerificationRunPageSchema, page), 200);
  });
}
