import { z } from "@hono/zod-openapi";
import { digitsOnly } from "../../../digits.ts";
import { PUBLIC_ID_EXTENSION, publicIdRecord, publicIdSchema } from "../../../public-ids.ts";
import { TimeWindowSchema } from "../references/schema.ts";

export const RunSchema = z
  .object({
    id: publicIdSchema("drift-run"),
    kind: z.enum(["scheduled", "manual", "weekly", "backfill"]),
    status: z.enum(["running", "succeeded", "failed"]),
    severity: z.enum(["none", "low", "high"]).nullable(),
    drift: z.boolean().nullable(),
    referenceSetId: publicIdSchema("reference").nullable(),
    idempotencyKey: z.string().nullable(),
    windowStart: z.string().nullable(),
    windowEnd: z.string().nullable(),
    fromSeq: z.number().int().nullable().openapi({ description: "The window's first stream seq" }),
    toSeq: z.number().int().nullable().openapi({ description: "The window's last stream seq" }),
    results: publicIdRecord(
      "Every number: PSI/KS per component, severity, MMD² and p-value, kNN novelty, timings",
    ),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi("DriftRun");

export const RunPageSchema = z
  .object({
    runs: z.array(RunSchema),
    nextBeforeId: publicIdSchema("drift-run", "Pass as before_id for the next page").nullable(),
  })
  .openapi("DriftRunPage");

export const RunsQuerySchema = z.object({
  limit: digitsOnly(z.coerce.number().int().min(1).max(200).default(50)),
  before_id: digitsOnly(
    z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({
        description: "The previous page's nextBeforeId: older runs only",
        [PUBLIC_ID_EXTENSION]: "drift-run",
      }),
  ),
});

export const CheckBodySchema = z
  .object({
    last: z.number().int().min(2).max(200_000).optional().openapi({
      description: "Check the latest N embeddings (default: the stream's window size, 1,000)",
    }),
    window: TimeWindowSchema.optional().openapi({ description: "Or: embeddings received in [from, to)" }),
    kind: z
      .enum(["manual", "weekly"])
      .default("manual")
      .openapi({ description: "weekly forces the MMD test" }),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .openapi("CheckRequest");
