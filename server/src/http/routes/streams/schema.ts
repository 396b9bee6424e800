import { z } from "@hono/zod-openapi";
import { StreamNameSchema } from "../common.ts";

export const ModelSchema = z
  .object({
    id: z.string().min(1).max(128).openapi({ example: "arcface-r100" }),
    version: z.string().min(1).max(64).openapi({ example: "1.2.0" }),
  })
  .openapi("Model");

export const StreamSchema = z
  .object({
    name: z.string(),
    model: ModelSchema,
    dimension: z.number().int(),
    createdAt: z.string(),
    embeddingCount: z.number().int(),
    lastSeq: z.number().int().openapi({ description: "The stream's last seq: seqs count its rows from 1" }),
    lastReceivedAt: z.string().nullable(),
  })
  .openapi("Stream");

export const StreamParamsSchema = z.object({ stream: StreamNameSchema });
