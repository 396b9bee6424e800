/**
 * @module
 * Accepts a batch of images, all or nothing: every file is validated (`validate.ts`) before the
 * first is stored; the objects are written, then the batch, its files and one `image-batch` job
 * are recorded in one transaction. If that transaction fails the objects are deleted again, so a
 * rejected upload leaves nothing behind.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { imageBatches } from "../db/schema/image-batch.ts";
import { imageFiles } from "../db/schema/image-file.ts";
import { FacedriftError } from "../errors.ts";
import { IMAGE_BATCH_JOB } from "../services/jobs/kinds.ts";
import { enqueueJob } from "../services/jobs/queue.ts";
import { checkStreamTakesImages } from "./embedder.ts";
import type { ImageStore } from "./store.ts";
import { type ImageLimits, type ValidatedImage, validateImage } from "./validate.ts";

/** The job kind replicas claim. */
export { IMAGE_BATCH_JOB } from "../services/jobs/kinds.ts";

/**
 * Which face of an image with several is embedded: `largest`, as the capture station does, or
 * none (`single`: such images are reported as `several_faces`, the subject being ambiguous).
 */
export const FACE_POLICIES = ["largest", "single"] as const;
export type FacePolicy = (typeof FACE_POLICIES)[number];

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

export interface UploadInput {
  tenantId: number;
  stream: string;
  files: readonly UploadedFile[];
  faces: FacePolicy;
  limits: ImageLimits & { maxFiles: number };
}

export interface UploadResult {
  batchId: number;
  files: Array<ValidatedImage & { position: number; filename: string }>;
}

export async function uploadImages(
  database: Database,
  store: ImageStore,
  input: UploadInput,
): Promise<UploadResult> {
  const { files, limits } = input;
  if (files.length === 0) {
    throw new FacedriftError("invalid_request", "the upload holds no files (send them as `files` parts)", {
      field: "files",
    });
  }
  if (files.length > limits.maxFiles) {
    throw new FacedriftError(
      "payload_too_large",
      `an upload may hold at most ${limits.maxFiles} files, got ${files.length}`,
      { field: "files" },
    );
  }
  // Before reading any file: a stream of another model could never take these embeddings.
  await checkStreamTakesImages(database.db, input.tenantId, input.stream);
  const validated: UploadResult["files"] = [];
  for (const [position, file] of files.entries()) {
    const image = await validateImage(file.bytes, file.name, position, limits);
    validated.push({ ...image, position, filename: file.name });
  }

  // Keys are fixed before the batch has an id, so objects can be written outside the transaction.
  const folder = `${input.tenantId}/${randomUUID()}`;
  const keyOf = (position: number) => `${folder}/${position}`;
  const written: string[] = [];
  const removeWritten = () => Promise.allSettled(written.map((key) => store.delete(key)));
  try {
    for (const [position, file] of files.entries()) {
      const key = keyOf(position);
      await store.put(key, file.bytes, validated[position]?.mediaType ?? "application/octet-stream");
      written.push(key);
    }
    const batchId = await database.db.transaction(async (tx) => {
      const [batch] = await tx
        .insert(imageBatches)
        .values({ tenantId: input.tenantId, stream: input.stream, fileCount: files.length })
        .returning({ id: imageBatches.id });
      const id = Number(batch?.id);
      const jobId = await enqueueJob(tx, IMAGE_BATCH_JOB, { batchId: id, faces: input.faces });
      await tx.update(imageBatches).set({ jobId }).where(eq(imageBatches.id, id));
      await tx.insert(imageFiles).values(
        validated.map((file) => ({
          tenantId: input.tenantId,
          batchId: id,
          position: file.position,
          filename: file.filename,
          mediaType: file.mediaType,
          bytes: file.bytes,
          sha256: file.sha256,
          width: file.width,
          height: file.height,
          objectKey: keyOf(file.position),
        })),
      );
      return id;
    });
    return { batchId, files: validated };
  } catch (error) {
    await removeWritten();
    throw error;
  }
}
