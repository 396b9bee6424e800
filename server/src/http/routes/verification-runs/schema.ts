import { z } from "@hono/zod-openapi";
import { publicIdRecord, publicIdSchema } from "../../public-ids.ts";
import { StreamNameSchema } from "../common.ts";
import { nextBeforeSchema, pagedRangeQuerySchema } from "../paging.ts";

export const VerificationRunSchema = z
  .object({
    id: publicIdSchema("verification-run"),
    stream: z.string().nullable().openapi({ description: "The stream the run was tied to, if any" }),
    model: z.object({ id: z.string(), version: z.string() }),
    pairs: z.number().int().openapi({ description: "Pairs scored" }),
    skipped: z
      .array(z.object({ left: z.string(), right: z.string(), reason: z.string() }))
      .openapi({ description: 'Pairs that could not be scored, e.g. reason "right: no face"' }),
    auc: z.number(),
    eer: z.number(),
    tarAtFar: z
      .record(z.string(), z.number())
      .openapi({ description: "TAR at FAR 0.001 and 0.01", example: { "0.001": 0.95, "0.01": 0.98 } }),
    details: publicIdRecord(
      "Pairs file, genuine/impostor counts, minimum AUC, face policy, image outcomes, timings",
    ),
    createdAt: z.string(),
  })
  .openapi("VerificationRun");

export const VerificationRunPageSchema = z
  .object({ items: z.array(VerificationRunSchema), nextBefore: nextBeforeSchema("verification-run") })
  .openapi("VerificationRunPage");

export const VerificationRunQuerySchema = pagedRangeQuerySchema("verification-run").extend({
  stream: StreamNameSchema.optional().openapi({ param: { name: "stream", in: "query" } }),
  model: z.string().min(1).max(200).optional().openapi({ description: "Embedder id" }),
});
