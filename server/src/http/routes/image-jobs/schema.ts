import { z } from "@hono/zod-openapi";
import { IMAGE_BATCH_STATUSES } from "../../../db/schema/image-batch.ts";
import { IMAGE_FILE_STATUSES } from "../../../db/schema/image-file.ts";
import { publicIdSchema } from "../../public-ids.ts";
import { idParamsSchema } from "../paging.ts";

export const ImageJobParamsSchema = idParamsSchema("image-job");

export const ImageFileResultSchema = z
  .object({
    position: z.number().int(),
    filename: z.string(),
    mediaType: z.string(),
    bytes: z.number().int(),
    sha256: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    status: z.enum(IMAGE_FILE_STATUSES),
    reason: z.string().nullable().openapi({ description: "Why no embedding was stored, or which face was" }),
    faces: z.number().int().nullable().openapi({ description: "Faces the detector found" }),
    embeddingId: z.string().nullable().openapi({ example: "3180734591806271:9f86d081…" }),
  })
  .openapi("ImageFileResult");

export const ImageJobSchema = z
  .object({
    id: publicIdSchema("image-job"),
    stream: z.string(),
    status: z.enum(IMAGE_BATCH_STATUSES),
    attempts: z.number().int(),
    error: z
      .string()
      .nullable()
      .openapi({ description: "Why the job failed, or why its last attempt did while it waits to retry" }),
    waiting: z.string().nullable().openapi({
      description: "While no replica has taken the job: for how long, and how to start one",
    }),
    progress: z.object({
      total: z.number().int(),
      done: z.number().int(),
      pending: z.number().int(),
      embedded: z.number().int(),
      no_face: z.number().int(),
      several_faces: z.number().int(),
      failed: z.number().int(),
    }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    imagesDeletedAt: z.string().nullable(),
    files: z.array(ImageFileResultSchema),
  })
  .openapi("ImageJob");
