import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { pc1Series } from "../../../../services/dashboard/pc1-series.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { timeRange } from "../../paging.ts";
import { StreamParamsSchema } from "../schema.ts";
import { SeriesQuerySchema, SeriesSchema } from "./schema.ts";

const DAY_MS = 86_400_000;

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/series",
  summary:
    "PC1 scores on the active reference and face-quality signals over an event-time (or arrival-time) range",
  description:
    "For the dashboard's charts: compact columns, projected in the database; past `points` " +
    "embeddings the range is bucketed into equal-count buckets.",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema, query: SeriesQuerySchema },
  responses: {
    200: { description: "The series", content: { "application/json": { schema: SeriesSchema } } },
    400: errorResponse("Invalid query; `field` names it"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerStreamSeries(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const range = timeRange(query);
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const to = range.to ?? new Date();
    const from = range.from ?? new Date(to.getTime() - DAY_MS);
    const series = await pc1Series(c.var.db, {
      streamId: stream.id,
      from,
      to,
      points: query.points,
      time: query.time,
      maxFutureSkewMs: c.var.config.maxFutureSkewMs,
    });
    return c.json(publicIdsOut(c.var.ids, SeriesSchema, series), 200);
  });
}
