import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { streamSummaries } from "../../../../services/dashboard/stream-summaries.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer } from "../../common.ts";
import { StreamSummaryListSchema } from "./schema.ts";

// Not under /v1/streams/…: a stream may be named "summaries", and /v1/streams/{stream} is taken.
const route = createRoute({
  method: "get",
  path: "/v1/stream-summaries",
  summary: "Every stream with its state, active reference, last run, open alerts and hourly volume",
  security: bearer,
  middleware: [requireScope("read")] as const,
  responses: {
    200: {
      description: "Streams by name",
      content: { "application/json": { schema: StreamSummaryListSchema } },
    },
    ...authErrors,
  },
});

export function registerStreamSummaries(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const streams = await streamSummaries(c.var.db, c.var.principal.tenantId);
    return c.json(publicIdsOut(c.var.ids, StreamSummaryListSchema, { streams }), 200);
  });
}
