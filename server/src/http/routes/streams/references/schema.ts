import { z } from "@hono/zod-openapi";
import { digitsOnly } from "../../../digits.ts";
import { publicIdSchema } from "../../../public-ids.ts";
import { ItemSchema } from "../embeddings/schema.ts";
import { ModelSchema, StreamParamsSchema } from "../schema.ts";

const Iso = z.string().datetime({ offset: true }).openapi({ example: "2026-11-01T00:00:00Z" });

/** A time window of the stream's stored embeddings, by receive time: [from, to). */
export const TimeWindowSchema = z.object({ from: Iso, to: Iso }).openapi("TimeWindow");

export const FitReferenceBodySchema = z
  .object({
    model: ModelSchema.optional().openapi({ description: "Required with items: must be the stream's model" }),
    items: z
      .array(ItemSchema)
      .optional()
      .openapi({ description: "Reference embeddings (ingestion's item format)" }),
    window: TimeWindowSchema.optional().openapi({
      description: "Or: the stream's own embeddings received in [from, to)",
    }),
    last: z
      .number()
      .int()
      .min(10)
      .max(200_000)
      .optional()
      .openapi({ description: "Or: the stream's latest N embeddings" }),
    options: z
      .object({
        components: z
          .number()
          .int()
          .min(1)
          .max(64)
          .optional()
          .openapi({ description: "PCA components (default 10)" }),
        mmd_sample_size: z
          .number()
          .int()
          .min(10)
          .max(5000)
          .optional()
          .openapi({ description: "Default 500" }),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .optional(),
        max_vectors: z.number().int().min(10).max(200_000).optional().openapi({
          description: "Most vectors kept for kNN novelty (default 20,000, seeded subsample)",
        }),
        knn_queries: z
          .number()
          .int()
          .min(10)
          .max(20_000)
          .optional()
          .openapi({ description: "Default 1,000" }),
        identity_field: z.string().min(1).max(100).optional().openapi({
          description:
            'Metadata field naming the person (default "person"): when every embedding has one, the kNN threshold is calibrated across people, else across time blocks',
        }),
      })
      .optional(),
    description: z.string().max(1000).optional(),
    activate: z.boolean().optional().openapi({ description: "Default true" }),
  })
  .openapi("FitReferenceRequest", { description: "Exactly one of items, window and last" });

export const FittedReferenceSchema = z
  .object({
    id: publicIdSchema("reference"),
    version: z.number().int(),
    explained_variance_ratio: z.array(z.number()),
    calibration: z.record(z.string(), z.unknown()),
    knn_threshold: z.number().nullable(),
  })
  .openapi("FittedReference");

export const ReferenceSchema = z
  .object({
    id: publicIdSchema("reference"),
    version: z.number().int(),
    active: z.boolean(),
    created_at: z.string(),
    model: ModelSchema,
    dimension: z.number().int(),
    explained_variance_ratio: z.array(z.number()),
    calibration: z.record(z.string(), z.unknown()).nullable(),
    knn_threshold: z.number().nullable(),
    description: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    vector_count: z.number().int(),
  })
  .openapi("Reference");

export const ReferenceListSchema = z
  .object({ references: z.array(ReferenceSchema) })
  .openapi("ReferenceList");

export const VersionParamsSchema = StreamParamsSchema.extend({
  version: digitsOnly(
    z.coerce
      .number()
      .int()
      .min(1)
      .openapi({ param: { name: "version", in: "path" }, example: 1 }),
  ),
});

export const ReferenceFileSchema = z.record(z.string(), z.unknown()).openapi("ReferenceFile", {
  description:
    'An exported reference: {format: "facedrift.reference/1", model, dimension, profile, calibration, ' +
    'knnThreshold, vectors: {count, encoding: "f32le-base64", data}}',
});

export const ImportQuerySchema = z.object({
  activate: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
});
