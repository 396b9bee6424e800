import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { requireScope } from "../../../../auth/middleware.ts";
import { archiveAccessFor } from "../../../../retention/store-from-config.ts";
import { actorOf } from "../../../../services/audit/record.ts";
import { deleteEmbeddings, deletionCriterion } from "../../../../services/embeddings/delete.ts";
import type { AppEnv } from "../../../env.ts";
import { authErrors, bearer, errorResponse } from "../../common.ts";
import { StreamParamsSchema } from "../schema.ts";

const value = z.string().min(1).max(256).optional();

const DeletionSchema = z
  .object({
    deleted: z.number().int().openapi({ description: "Rows erased from the database" }),
    archived: z.object({
      daysScanned: z.number().int(),
      days: z.array(z.object({ day: z.string(), removed: z.number().int(), remaining: z.number().int() })),
      rows: z.number().int(),
    }),
    references: z.array(
      z.object({
        version: z.number().int(),
        storedVectorsRemoved: z.number().int(),
        mmdSampleRowsRemoved: z.number().int(),
        ksSampleRowsRemoved: z.number().int(),
      }),
    ),
  })
  .openapi("Deletion");

const route = createRoute({
  method: "delete",
  path: "/v1/streams/{stream}/embeddings",
  summary: "Privacy deletion: erase a device's embeddings, or those with a metadata value",
  description:
    "Give `device`, or `metadata_key` with `metadata_value`. Matching rows and their idempotency " +
    "entries are erased, with their copies in the stream's reference versions (which are marked " +
    "for a refit), and an audit row (with the value's SHA-256, not the value) is written. Archived " +
    "days holding matching rows are then rewritten without them and verified (a second audit row). " +
    "A 503 means the database part is done and the archives are not: repeat the request.",
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
        "application/json": { schema: DeletionSchema },
      },
    },
    400: errorResponse("No criterion, or both kinds; `field` names it"),
    503: errorResponse("Erased from the database, not yet from archived days: repeat the request"),
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
      archives: archiveAccessFor(c.var.config),
      criterion: deletionCriterion({
        device: query.device,
        metadataKey: query.metadata_key,
        metadataValue: query.metadata_value,
      }),
    });
    return c.json(result, 200);
  });
}
