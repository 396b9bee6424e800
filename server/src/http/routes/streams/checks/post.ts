import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { runBatchCheck } from "../../../../batch/run.ts";
import { dashboardBaseUrl } from "../../../../config/config.ts";
import { FacedriftError } from "../../../../errors.ts";
import { getStream } from "../../../../services/streams/get.ts";
import { verificationSettingsOf } from "../../../../verification/queue.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { CheckBodySchema, RunSchema } from "../runs/schema.ts";
import { StreamParamsSchema } from "../schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/checks",
  summary: "Run the batch drift check now and return the stored run",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: {
    params: StreamParamsSchema,
    body: { required: false, content: { "application/json": { schema: CheckBodySchema } } },
  },
  responses: {
    201: { description: "The finished run", content: { "application/json": { schema: RunSchema } } },
    400: errorResponse("Invalid input, or a window with fewer than 2 embeddings"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
    409: errorResponse("The stream has no active reference"),
  },
});

export function registerRunCheck(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json") ?? { kind: "manual" as const };
    if (body.last !== undefined && body.window !== undefined) {
      throw new FacedriftError("invalid_request", "give at most one of last and window", { field: "window" });
    }
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const run = await runBatchCheck(c.var.database, {
      streamId: stream.id,
      kind: body.kind ?? "manual",
      window: body.window
        ? { from: new Date(body.window.from), to: new Date(body.window.to) }
        : body.last !== undefined
          ? { last: body.last }
          : undefined,
      seed: body.seed,
      verifyOnDrift: c.var.config.verifyOnDrift ? verificationSettingsOf(c.var.config) : null,
      dashboardBaseUrl: dashboardBaseUrl(c.var.config),
    });
    return c.json(publicIdsOut(c.var.ids, RunSchema, run) as never, 201);
  });
}
