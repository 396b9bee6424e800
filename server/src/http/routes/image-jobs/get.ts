import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { viewImageJob } from "../../../images/view.ts";
import type { AppEnv } from "../../env.ts";
import { internalId, publicIdsOut } from "../../public-ids.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { ImageJobParamsSchema, ImageJobSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/image-jobs/{id}",
  summary: "Progress of an image upload and what became of each file",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: ImageJobParamsSchema },
  responses: {
    200: { description: "The job", content: { "application/json": { schema: ImageJobSchema } } },
    ...authErrors,
    404: errorResponse("No such job for this tenant"),
  },
});

export function registerGetImageJob(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const job = await viewImageJob(
      c.var.db,
      c.var.principal.tenantId,
      internalId(c.var.ids, "image-job", c.req.valid("param").id),
    );
    return c.json(publicIdsOut(c.var.ids, ImageJobSchema, job), 200);
  });
}
