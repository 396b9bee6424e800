import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { actorOf } from "../../../../services/audit/record.ts";
import { deleteEmbeddings, deletionCriterion } from "../../../../services/embeddings/delete.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";

const value = z.string().min(1).max(256).optional();

const route = createRoute({
  method: "delete",
  path: "/v1/streams/{stream}/embeddings",
  summary: "Privacy deletion: erase a device's embeddings, or those with a metadata value",
  description:
    "Give `device`, or `metadata_key` with `metadata_value`. Matching rows and their idempotency " +
    "entries are erased and an audit row (with the value's SHA-256, not the value) is written. " +
    "Days already archived to Parquet are not rewritten.",
  security: bearer,
  middleware: [requireScope("admin")] as const,
  request: {
    params: StreamParamsSchema,
    query: z.object({ device: value, metadata_key: value, metadata_value: value }),
  },
  responses: {
    200: {
      description: "How many rows were erased",
      content: {
        "application/json": { schema: z.object({ deleted: z.number().int() }).openapi("Deletion") },
      },
    },
    400: errorResponse("No criterion, or both kinds; `field` names it"),
    ...authErrors,
    404: errorResponse("No such stream for this tenant"),
  },
});

export function registerDeleteEmbeddings(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const result = await deleteEmbeddings(c.var.db, {
      tenantId: c.var.principal.tenantId,
      stream: c.req.valid("param").stream,
      actor: actorOf(c.var.principal),
      criterion: deletionCriterion({
        device: query.device,
        metadataKey: query.metadata_key,
        metadataValue: query.metadata_value,
      }),
    });
    return c.json(result, 200);
  });
}
