import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { recordAudit } from "../../../services/audit/record.ts";
import { getStream } from "../../../services/streams/get.ts";
import { viewVerificationJob } from "../../../verification/jobs.ts";
import { requestVerification, verificationSettingsOf } from "../../../verification/queue.ts";
import type { AppEnv } from "../../env.ts";
import { publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { VerificationJobBodySchema, VerificationJobSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/verification-jobs",
  summary: "Queue a verification run on the server's labelled set (a replica embeds it and stores AUC/EER)",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: {
    body: { required: false, content: { "application/json": { schema: VerificationJobBodySchema } } },
  },
  responses: {
    202: {
      description: "Queued; poll GET /v1/verification-jobs/{id}",
      content: { "application/json": { schema: VerificationJobSchema } },
    },
    400: errorResponse("Invalid input"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
    409: errorResponse("The server has no (readable) labelled set"),
  },
});

export function registerQueueVerification(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json") ?? {};
    const { tenantId, actor } = c.var.principal;
    const stream = body.stream === undefined ? null : await getStream(c.var.db, tenantId, body.stream);
    const id = await c.var.db.transaction(async (tx) => {
      const jobId = await requestVerification(tx, verificationSettingsOf(c.var.config), {
        tenantId,
        stream: stream && { id: stream.id, name: stream.name },
        minAuc: body.minAuc,
        limit: body.limit,
        actor,
      });
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "verification.queue",
        target: `verification-job:${jobId}`,
        details: { stream: stream?.name ?? null, minAuc: body.minAuc ?? null, limit: body.limit ?? null },
      });
      return jobId;
    });
    const job = await viewVerificationJob(c.var.db, tenantId, id);
    return c.json(publicIdsOut(c.var.ids, VerificationJobSchema, job) as never, 202);
  });
}
