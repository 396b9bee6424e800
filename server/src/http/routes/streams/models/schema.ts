import { z } from "@hono/zod-openapi";
import { publicIdSchema } from "../../../public-ids.ts";
import { ModelSchema } from "../schema.ts";
import { StreamSummarySchema } from "../summary/schema.ts";

export const TrackSchema = z
  .object({
    name: z.string().openapi({
      description:
        "The track's own stream name: the stream's for `current`, `stream~model@version` otherwise",
      example: "lobby~faceplugin-feature512@0.0.1",
    }),
    role: z.enum(["current", "candidate", "retired"]),
    model: ModelSchema,
    dimension: z.number().int(),
    samplingShare: z
      .number()
      .openapi({ description: "Share of faces also embedded with this model (1 for current)" }),
    embeddingCount: z.number().int(),
    lastReceivedAt: z.string().nullable(),
    createdAt: z.string(),
    promotedAt: z.string().nullable(),
    retiredAt: z.string().nullable(),
    activeReference: z.number().int().nullable().openapi({ description: "Active reference version, if any" }),
  })
  .openapi("ModelTrack");

export const TracksSchema = z
  .object({ stream: z.string(), tracks: z.array(TrackSchema) })
  .openapi("ModelTracks");

export const CandidateBodySchema = z
  .object({
    model: ModelSchema,
    dimension: z.number().int().min(1).max(16000).openapi({ example: 512 }),
    samplingShare: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .openapi({ description: "Share of faces also embedded with the candidate (default 1)", example: 0.5 }),
  })
  .strict()
  .openapi("CandidateBody");

export const TrackComparisonSchema = TrackSchema.extend({
  summary: StreamSummarySchema.pick({
    reference: true,
    state: true,
    lag: true,
    lastRun: true,
    incident: true,
  })
    .nullable()
    .openapi({ description: "The track's drift state, as the overview reports a stream's" }),
  verification: z
    .object({
      runId: publicIdSchema("verification-run"),
      auc: z.number(),
      eer: z.number(),
      pairs: z.number().int(),
      createdAt: z.string(),
    })
    .nullable()
    .openapi({ description: "The latest verification run on the labelled set tied to this track" }),
  quality: z.object({
    embeddings: z
      .number()
      .int()
      .openapi({ description: "Latest embeddings with quality signals (at most 500)" }),
    medians: z.record(z.string(), z.number()).openapi({
      description: "Median faceSize, detectorScore, blur, brightness and embeddingNorm over them",
    }),
  }),
}).openapi("ModelTrackComparison");

export const ComparisonSchema = z
  .object({ stream: z.string(), tracks: z.array(TrackComparisonSchema) })
  .openapi("ModelComparison");
