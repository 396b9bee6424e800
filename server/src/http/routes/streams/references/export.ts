import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { exportReference } from "../../../../services/references/file.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { ReferenceFileSchema, VersionParamsSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/references/{version}/export",
  summary: "Download a reference version as one JSON file (profile, calibration, vectors)",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: VersionParamsSchema },
  responses: {
    200: { description: "The file", content: { "application/json": { schema: ReferenceFileSchema } } },
    ...authErrors,
    404: errorResponse("No such stream or version"),
  },
});

export function registerExportReference(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { stream: name, version } = c.req.valid("param");
    const stream = await getStream(c.var.db, c.var.principal.tenantId, name);
    const file = await exportReference(c.var.database, stream, version);
    c.header("content-disposition", `attachment; filename="${stream.name}-reference-v${version}.json"`);
    return c.json(file as unknown as Record<string, unknown>, 200);
  });
}
