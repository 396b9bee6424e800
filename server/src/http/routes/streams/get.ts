import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { getStream } from "../../../services/streams/get.ts";
import type { StreamView } from "../../../services/streams/view.ts";
import type { AppEnv } from "../../env.ts";
import { authErrors, bearer, errorResponse } from "../common.ts";
import { StreamParamsSchema, StreamSchema } from "./schema.ts";

/** The public shape of a stream: no internal ids. */
export function toStreamBody(view: StreamView): z.infer<typeof StreamSchema> {
  const { id: _id, ...body } = view;
  return body;
}

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}",
  summary: "One stream with its counts",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema },
  responses: {
    200: { description: "The stream", content: { "application/json": { schema: StreamSchema } } },
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerGetStream(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const view = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    return c.json(toStreamBody(view), 200);
  });
}
