import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { listReferences } from "../../../../services/references/view.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { ReferenceListSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/references",
  summary: "A stream's reference versions, newest first (without vectors)",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema },
  responses: {
    200: { description: "The versions", content: { "application/json": { schema: ReferenceListSchema } } },
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerListReferences(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const references = await listReferences(c.var.db, stream.id);
    return c.json(publicIdsOut(c.var.ids, ReferenceListSchema, { references }), 200);
  });
}
