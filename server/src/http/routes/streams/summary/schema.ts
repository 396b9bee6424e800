import { z } from "@hono/zod-openapi";
import { STREAM_STATES } from "../../../../services/dashboard/stream-state.ts";
import { publicIdSchema } from "../../../public-ids.ts";
import { ModelSchema } from "../schema.ts";

export const StreamSummarySchema = z
  .object({
    name: z.string(),
    model: ModelSchema,
    dimension: z.number().int(),
    embeddingCount: z.number().int(),
    lastReceivedAt: z.string().nullable(),
    reference: z
      .object({
        id: publicIdSchema("reference"),
        version: z.number().int(),
        createdAt: z.string(),
        warnings: z.array(z.string()).openapi({
          description:
            "Recommended detectors this reference cannot run, each with why (e.g. no quality signals in the reference " +
            "embeddings' metadata.quality): shown on the stream, never skipped silently",
        }),
      })
      .nullable()
      .openapi({ description: "The active reference version" }),
    state: z.enum(STREAM_STATES).openapi({
      description:
        "drifting: the last batch run confirmed drift or a drift incident (warning or worse) is open; lagging: the " +
        "streaming detector is ≥ 1,000 embeddings behind; unmonitored: no active reference",
    }),
    lag: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Embeddings past the streaming cursor (capped)" }),
    lastRun: z
      .object({
        id: publicIdSchema("drift-run"),
        status: z.string(),
        severity: z.string().nullable(),
        drift: z.boolean().nullable(),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
      })
      .nullable(),
    incident: z
      .object({
        id: publicIdSchema("incident"),
        status: z.string(),
        severity: z.string(),
        findingCount: z.number().int(),
      })
      .nullable()
      .openapi({ description: "The stream's open or acknowledged incident" }),
    perHour: z
      .array(z.number().int())
      .openapi({ description: "Embeddings per hour, last 24 hours, oldest first" }),
    perHourFrom: z.string().openapi({ description: "Start of the first hour in perHour" }),
  })
  .openapi("StreamSummary");

export const StreamSummaryListSchema = z
  .object({ streams: z.array(StreamSummarySchema) })
  .openapi("StreamSummaries");
