import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { getReference } from "../../../../services/references/view.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { ReferenceSchema, VersionParamsSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/references/{version}",
  summary: "One reference version (without vectors)",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: VersionParamsSchema },
  responses: {
    200: { description: "The version", content: { "application/json": { schema: ReferenceSchema } } },
    ...authErrors,
    404: errorResponse("No such stream or version"),
  },
});

export function registerGetReference(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { stream: name, version } = c.req.valid("param");
    const stream = await getStream(c.var.db, c.var.principal.tenantId, name);
    const reference = await getReference(c.var.db, stream.id, version);
    return c.json(publicIdsOut(c.var.ids, ReferenceSchema, reference), 200);
  });
}
