import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { activateReference } from "../../../../services/references/view.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { publicIdsOut } from "../../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { ReferenceSchema, VersionParamsSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/references/{version}/activate",
  summary: "Make this version the stream's active reference (the previous one is kept)",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: { params: VersionParamsSchema },
  responses: {
    200: {
      description: "The now active version",
      content: { "application/json": { schema: ReferenceSchema } },
    },
    ...authErrors,
    404: errorResponse("No such stream or version"),
  },
});

export function registerActivateReference(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { stream: name, version } = c.req.valid("param");
    const stream = await getStream(c.var.db, c.var.principal.tenantId, name);
    const reference = await activateReference(c.var.db, stream.id, version);
    return c.json(publicIdsOut(c.var.ids, ReferenceSchema, reference), 200);
  });
}
