import { z } from "@hono/zod-openapi";
import { publicIdRecord, publicIdSchema } from "../../../public-ids.ts";
import { nextBeforeSchema, pagedRangeQuerySchema } from "../../paging.ts";

export const DriftEventQuerySchema = pagedRangeQuerySchema("drift-event").extend({
  time: z.enum(["event", "arrival"]).default("event").openapi({
    description:
      "The clock of from/to: event (default) — the ts of the embedding at which it fired; arrival — when it was detected",
  }),
});

export const DriftEventSchema = z
  .object({
    id: publicIdSchema("drift-event"),
    seq: z
      .number()
      .int()
      .openapi({ description: "The stream seq of the embedding at which the detector fired" }),
    signal: z.string().openapi({ example: "pc1" }),
    meanBefore: z.number().nullable(),
    meanAfter: z.number().nullable(),
    referenceSetId: publicIdSchema("reference").nullable(),
    details: publicIdRecord("What the detector saw"),
    eventTime: z
      .string()
      .nullable()
      .openapi({ description: "The ts of the embedding at which it fired (event time)" }),
    detectedAt: z.string(),
  })
  .openapi("DriftEvent");

export const DriftEventPageSchema = z
  .object({ items: z.array(DriftEventSchema), nextBefore: nextBeforeSchema("drift-event") })
  .openapi("DriftEventPage");
