import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { listRuns } from "../../../../batch/runs.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { cursorId, publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { RunPageSchema, RunsQuerySchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/runs",
  summary: "A stream's batch runs, newest first, with all their numbers",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema, query: RunsQuerySchema },
  responses: {
    200: { description: "A page of runs", content: { "application/json": { schema: RunPageSchema } } },
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerListRuns(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { limit, before_id } = c.req.valid("query");
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const page = await listRuns(c.var.db, stream.id, {
      limit,
      beforeId: cursorId(c.var.ids, "drift-run", before_id, "before_id"),
    });
    return c.json(publicIdsOut(c.var.ids, RunPageSchema, page) as never, 200);
  });
}
