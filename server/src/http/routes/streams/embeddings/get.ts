import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { listEmbeddings } from "../../../../services/embeddings/list.ts";
import { getStream } from "../../../../services/streams/get.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { EmbeddingPageSchema, ListQuerySchema } from "./schema.ts";

const route = createRoute({
  method: "get",
  path: "/v1/streams/{stream}/embeddings",
  summary: "Page through a stream's embeddings in seq order",
  description: "Seq order is commit order within a stream, so following nextAfterSeq never skips a row.",
  security: bearer,
  middleware: [requireScope("read")] as const,
  request: { params: StreamParamsSchema, query: ListQuerySchema },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: EmbeddingPageSchema } } },
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerListEmbeddings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { after_seq, limit } = c.req.valid("query");
    const stream = await getStream(c.var.db, c.var.principal.tenantId, c.req.valid("param").stream);
    const page = await listEmbeddings(c.var.db, stream.id, after_seq, limit);
    return c.json(
      {
        items: page.items.map(({ eventTime, embedding, ...rest }) => ({
          ...rest,
          ts: eventTime,
          embedding: Array.from(embedding),
        })),
        nextAfterSeq: page.nextAfterSeq,
        hasMore: page.hasMore,
      },
      200,
    );
  });
}
