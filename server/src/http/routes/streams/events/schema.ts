import { z } from "@hono/zod-openapi";
import { nextBeforeSchema } from "../../paging.ts";

export const DriftEventSchema = z
  .object({
    id: z.number().int(),
    seq: z.number().int().openapi({ description: "The embedding seq at which ADWIN fired" }),
    signal: z.string().openapi({ example: "pc1" }),
    meanBefore: z.number().nullable(),
    meanAfter: z.number().nullable(),
    referenceSetId: z.number().int().nullable(),
    details: z.record(z.string(), z.unknown()),
    detectedAt: z.string(),
  })
  .openapi("DriftEvent");

export const DriftEventPageSchema = z
  .object({ items: z.array(DriftEventSchema), nextBefore: nextBeforeSchema })
  .openapi("DriftEventPage");
