import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listVerificationJobs, viewVerificationJob } from "../../../verification/jobs.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { idParamsSchema } from "../paging.ts";
import { VerificationJobListSchema, VerificationJobQuerySchema, VerificationJobSchema } from "./schema.ts";

const getRoute = createRoute({
  method: "get",
  path: "/v1/verification-jobs/{id}",
  summary: "A verification job: status, progress, and the stored run once done",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: idParamsSchema("verification-job") },
  responses: {
    200: { description: "The job", content: { "application/json": { schema: VerificationJobSchema } } },
    ...authErrors,
    404: errorResponse("No such job for this tenant"),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/verification-jobs",
  summary: "The tenant's verification jobs, newest first",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { query: VerificationJobQuerySchema },
  responses: {
    200: { description: "Jobs", content: { "application/json": { schema: VerificationJobListSchema } } },
    400: errorResponse("Invalid query"),
    ...authErrors,
  },
});

export function registerVerificationJobReads(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getRoute, async (c) => {
    const job = await viewVerificationJob(
      c.var.db,
      c.var.principal.tenantId,
      internalId(c.var.ids, "verification-job", c.req.valid("param").id),
    );
    return c.json(publicIdsOut(c.var.ids, VerificationJobSchema, job) as never, 200);
  });
  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const items = await listVerificationJobs(c.var.db, c.var.principal.tenantId, query);
    return c.json(publicIdsOut(c.var.ids, VerificationJobListSchema, { items }) as never, 200);
  });
}
