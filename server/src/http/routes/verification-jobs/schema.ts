import { z } from "@hono/zod-openapi";
import { JOB_STATUSES } from "../../../db/schema/job.ts";
import { digitsOnly } from "../../digits.ts";
import { publicIdSchema } from "../../public-ids.ts";
import { StreamNameSchema } from "../common.ts";

export const VerificationJobBodySchema = z
  .object({
    stream: StreamNameSchema.optional().openapi({
      description:
        "Tie the run to this stream: its model must be the replica's, and an AUC below minAuc alerts on it",
    }),
    minAuc: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .openapi({ description: "Alert below this AUC (default: the server's, 0.98)" }),
    limit: z.number().int().min(2).optional().openapi({
      description: "Only this many pairs, half genuine and half impostor (default: the server's, all)",
    }),
  })
  .strict()
  .openapi("VerificationJobRequest");

export const VerificationJobSchema = z
  .object({
    id: publicIdSchema("verification-job"),
    status: z.enum(JOB_STATUSES),
    attempts: z.number().int(),
    stream: z.string().nullable(),
    trigger: z
      .union([
        z.object({ kind: z.literal("api"), actor: z.string() }),
        z.object({ kind: z.literal("batch-drift"), driftRunId: publicIdSchema("drift-run") }),
      ])
      .openapi({ description: "Who asked: an API caller, or a batch run that confirmed drift" }),
    pairsFile: z.string(),
    minAuc: z.number(),
    limit: z.number().int().nullable(),
    progress: z
      .object({ done: z.number().int(), total: z.number().int(), elapsedMs: z.number(), etaMs: z.number() })
      .nullable()
      .openapi({ description: "Images embedded so far" }),
    error: z.string().nullable().openapi({ description: "Why the last attempt failed" }),
    run: z
      .object({
        id: publicIdSchema("verification-run"),
        auc: z.number(),
        eer: z.number(),
        tarAtFar: z.record(z.string(), z.number()),
        pairs: z.number().int(),
        belowMinAuc: z.boolean(),
      })
      .nullable()
      .openapi({ description: "The stored verification run, once the job succeeded" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("VerificationJob");

export const VerificationJobListSchema = z
  .object({ items: z.array(VerificationJobSchema) })
  .openapi("VerificationJobList");

export const VerificationJobQuerySchema = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  limit: digitsOnly(z.coerce.number().int().min(1).max(100).default(20)),
});
