import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { listDriftEvents } from "../../../../services/drift-events/list.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { cursorId, publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { timeRange } from "../../paging.ts";
import { StreamParamsSchema } from "../schema.ts";
import { DriftEventPageSchema, DriftEventQuerySchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/events",
  summary: "The stream's drift events (ADWIN detections), newest first",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema, query: DriftEventQuerySchema },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: DriftEventPageSchema } } },
    400: errorResponse("Invalid query; `field` names it"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerListDriftEvents(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const page = await listDriftEvents(c.var.db, {
      streamId: stream.id,
      ...timeRange(query),
      time: query.time,
      ...(query.before === undefined
        ? {}
        : { before: cursorId(c.var.ids, "drift-event", query.before) as number }),
      limit: query.limit,
    });
    return c.json(publicIdsOut(c.var.ids, DriftEventPageSchema, page), 200);
  });
}
