import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { recordIngest } from "../../../../metrics/metrics.ts";
import { ingestEmbeddings } from "../../../../services/embeddings/ingest.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";
import { IngestBodySchema, IngestResponseSchema } from "./schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/streams/{stream}/embeddings",
  summary: "Ingest a batch of embeddings (all or nothing; ids are idempotency keys)",
  description:
    "Creates the stream on first use with this model and the first vector's dimension; both are fixed " +
    "from then on. Items whose id is already stored, or repeated within the request, are counted as " +
    "duplicates and not stored again. An optional `extraction` report says how many images or frames " +
    "the client's pipeline tried and how many yielded no face; with it, `items` may be empty (the " +
    "batch found no face). Its `id` is its own idempotency key.",
  security: bearer,
  middleware: [requireScope("ingest")] as const,
  request: {
    params: StreamParamsSchema,
    body: { required: true, content: { "application/json": { schema: IngestBodySchema } } },
  },
  responses: {
    200: { description: "Stored", content: { "application/json": { schema: IngestResponseSchema } } },
    400: errorResponse("Invalid input; `item` and `field` name the first offending value"),
    ...authErrors,
    404: errorResponse(
      "The path names a model track that does not exist (ingestion never creates one), or a report " +
        "without items names a stream that has no embeddings yet",
    ),
    409: errorResponse(
      "The stream holds another model, and it is not the stream's candidate; or the extraction " +
        "report's id is stored with other counts",
    ),
    413: errorResponse("Too many items or too large a body"),
    415: errorResponse("Not application/json"),
  },
});

export function registerIngestEmbeddings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const result = await ingestEmbeddings(c.var.database, {
      tenantId: c.var.principal.tenantId,
      stream: c.req.valid("param").stream,
      model: body.model,
      items: body.items,
      ...(body.extraction ? { extraction: body.extraction } : {}),
      maxItems: c.var.config.maxBatchItems,
      maxFutureSkewMs: c.var.config.maxFutureSkewMs,
    });
    recordIngest(
      c.var.metrics,
      { tenantId: c.var.principal.tenantId, stream: c.req.valid("param").stream },
      result.accepted,
      result.duplicates,
      body.items.filter((item) => typeof item.metadata?.fallback === "string").length,
    );
    const { accepted, duplicates, lastSeq, transition, extraction } = result;
    return c.json(
      {
        accepted,
        duplicates,
        lastSeq,
        ...(transition ? { transition } : {}),
        ...(extraction ? { extraction } : {}),
      },
      200,
    );
  });
}
