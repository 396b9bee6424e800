import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../../../auth/middleware.ts";
import { listStreams } from "../../../services/streams/list.ts";
import type { AppEnv } from "../../env.ts";
import { authErrors, bearer } from "../common.ts";
import { toStreamBody } from "./get.ts";
import { StreamSchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams",
  summary: "The caller's streams with their counts",
  security: bearer,
  middleware: [requireScope("read")] as const,
  responses: {
    200: {
      description: "Streams by name",
      content: { "application/json": { schema: z.object({ streams: z.array(StreamSchema) }) } },
    },
    ...authErrors,
  },
});

export function registerListStreams(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const streams = await listStreams(c.var.db, c.var.principal.tenantId);
    return c.json({ streams: streams.map(toStreamBody) }, 200);
  });
}
