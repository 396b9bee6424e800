import { z } from "@hono/zod-openapi";
import { MAX_SERIES_POINTS, SERIES_TIMES } from "../../../../services/dashboard/pc1-series.ts";
import { digitsOnly } from "../../../digits.ts";
import { publicIdSchema } from "../../../public-ids.ts";

const instant = z.iso
  .datetime({ offset: true, error: "must be an RFC 3339 date-time with an offset" })
  .optional();

export const SeriesQuerySchema = z.object({
  from: instant.openapi({ description: "Inclusive lower bound on `time` (default: `to` minus 24 h)" }),
  to: instant.openapi({ description: "Inclusive upper bound on `time` (default: now)" }),
  time: z.enum(SERIES_TIMES).default("event").openapi({
    description:
      "event (default): the embeddings' own ts, when the faces were seen; arrival: when the server received them",
  }),
  points: digitsOnly(
    z.coerce.number().int().min(10).max(MAX_SERIES_POINTS).default(5_000).openapi({
      description: "Most points returned; a wider range is bucketed (mean, min, max per bucket)",
    }),
  ),
});

const numbers = z.array(z.number().nullable());

export const SeriesSchema = z
  .object({
    reference: z
      .object({
        id: publicIdSchema("reference"),
        version: z.number().int(),
        pc1VarianceRatio: z.number().nullable(),
        pc1Sample: z
          .array(z.number())
          .openapi({ description: "The reference's own PC1 scores (its KS sample)" }),
        warnings: z.array(z.string()).openapi({
          description:
            "Recommended detectors the reference cannot run, each with why; never skipped silently",
        }),
      })
      .nullable()
      .openapi({ description: "The active reference whose PC1 the scores are on; null: no scores" }),
    from: z.string(),
    to: z.string(),
    time: z.enum(SERIES_TIMES).openapi({ description: "The clock of from, to and t" }),
    total: z.number().int().openapi({ description: "Embeddings in the range" }),
    perPoint: z
      .number()
      .int()
      .openapi({ description: "1: one point per embedding; else embeddings per bucket" }),
    t: z.array(z.number()).openapi({ description: "Receive time, epoch ms (a bucket's first)" }),
    seq: z.array(z.number()).openapi({ description: "Stream seq of each bucket's first embedding" }),
    pc1: numbers.openapi({ description: "PC1 score on the active reference (a bucket's mean)" }),
    pc1Min: numbers.nullable(),
    pc1Max: numbers.nullable(),
    faceSize: numbers.openapi({ description: "metadata.quality.faceSize (source pixels)" }),
    brightness: numbers.openapi({ description: "metadata.quality.brightness (0–255)" }),
    blur: numbers.openapi({ description: "metadata.quality.blur (Laplacian variance; low is blurred)" }),
  })
  .openapi("StreamSeries", { description: "Columns of equal length, one entry per point" });
