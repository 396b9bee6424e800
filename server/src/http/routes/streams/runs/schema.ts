import { z } from "@hono/zod-openapi";
import { TimeWindowSchema } from "../references/schema.ts";

export const RunSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(["scheduled", "manual", "weekly", "backfill"]),
    status: z.enum(["running", "succeeded", "failed"]),
    severity: z.enum(["none", "low", "high"]).nullable(),
    drift: z.boolean().nullable(),
    referenceSetId: z.number().int().nullable(),
    idempotencyKey: z.string().nullable(),
    windowStart: z.string().nullable(),
    windowEnd: z.string().nullable(),
    fromSeq: z.number().int().nullable(),
    toSeq: z.number().int().nullable(),
    results: z.record(z.string(), z.unknown()).openapi({
      description: "Every number: PSI/KS per component, severity, MMD² and p-value, kNN novelty, timings",
    }),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi("DriftRun");

export const RunPageSchema = z
  .object({ runs: z.array(RunSchema), nextBeforeId: z.number().int().nullable() })
  .openapi("DriftRunPage");

export const RunsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before_id: z.coerce.number().int().min(1).optional().openapi({ description: "Runs with id < before_id" }),
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
