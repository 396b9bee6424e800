import { z } from "@hono/zod-openapi";
import { MAX_SNAPSHOTS } from "../../../../services/dashboard/pc1-snapshots.ts";
import { digitsOnly } from "../../../digits.ts";
import { publicIdSchema } from "../../../public-ids.ts";

export const Pc1SnapshotsQuerySchema = z.object({
  runs: digitsOnly(
    z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_SNAPSHOTS)
      .default(6)
      .openapi({ description: "How many of the latest batch windows" }),
  ),
});

export const Pc1SnapshotsSchema = z
  .object({
    reference: z
      .object({ id: publicIdSchema("reference"), version: z.number().int(), sampleSize: z.number().int() })
      .nullable()
      .openapi({ description: "The active reference the bins and shares are on; null: none" }),
    edges: z.array(z.number()).openapi({
      description: "Bin edges: equal-width over the reference PC1's central 99 %, the end bins open",
    }),
    referenceShares: z.array(z.number()),
    snapshots: z
      .array(
        z.object({
          runId: publicIdSchema("drift-run"),
          windowStart: z.string(),
          windowEnd: z.string(),
          finishedAt: z.string().nullable(),
          drift: z.boolean().nullable(),
          severity: z.string().nullable(),
          psiPc1: z.number().nullable(),
          n: z.number().int(),
          shares: z.array(z.number()),
        }),
      )
      .openapi({ description: "The latest succeeded runs on the active reference, oldest first" }),
  })
  .openapi("Pc1Snapshots");
