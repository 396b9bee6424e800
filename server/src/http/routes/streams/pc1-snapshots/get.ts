import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { pc1Snapshots } from "../../../../services/dashboard/pc1-snapshots.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { Pc1SnapshotsQuerySchema, Pc1SnapshotsSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/pc1-snapshots",
  summary: "PC1 histograms of the latest batch windows against the reference's, on the reference's bins",
  description: "For the stream page's small multiples: counts binned in the database, shares returned.",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema, query: Pc1SnapshotsQuerySchema },
  responses: {
    200: { description: "The snapshots", content: { "application/json": { schema: Pc1SnapshotsSchema } } },
    400: errorResponse("Invalid query; `field` names it"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerPc1Snapshots(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const snapshots = await pc1Snapshots(c.var.db, { streamId: stream.id, runs: c.req.valid("query").runs });
    return c.json(publicIdsOut(c.var.ids, Pc1SnapshotsSchema, snapshots), 200);
  });
}
