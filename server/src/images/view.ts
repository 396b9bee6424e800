/**
 * @module
 * An image job as `GET /v1/image-jobs/{id}` shows it: the batch, its progress, and what became of
 * each file with the reason when no embedding was stored. Another tenant's job does not exist.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { type ImageBatchStatus, imageBatches } from "../db/schema/image-batch.ts";
import { type ImageFileStatus, imageFiles } from "../db/schema/image-file.ts";
import { jobs } from "../db/schema/job.ts";
import { FacedriftError } from "../errors.ts";

export interface ImageFileView {
  position: number;
  filename: string;
  mediaType: string;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  status: ImageFileStatus;
  reason: string | null;
  faces: number | null;
  embeddingId: string | null;
}

export interface ImageJobView {
  id: number;
  stream: string;
  status: ImageBatchStatus;
  attempts: number;
  error: string | null;
  /**
   * While no replica has taken the job: that it waits, for how long, and how to start one (an
   * upload is embedded by a replica; `facedrift serve` runs none unless Chromium is there).
   */
  waiting: string | null;
  progress: { total: number; done: number } & Record<ImageFileStatus, number>;
  createdAt: string;
  finishedAt: string | null;
  imagesDeletedAt: string | null;
  files: ImageFileView[];
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** What a job nobody has claimed says, with how to start the replica it waits for. */
export function waitingMessage(createdAt: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - createdAt.getTime()) / 1000));
  return (
    `waiting for a replica: none has taken this job in ${seconds} s. Images are embedded by a replica: ` +
    "on the embedded database `facedrift serve` runs one itself when Chromium is installed " +
    "(apt-get install chromium, or FACEDRIFT_CHROMIUM=/path/to/chrome; `--replica` insists on it), " +
    "with PostgreSQL run `facedrift replica` beside the server"
  );
}

export async function viewImageJob(
  db: Executor,
  tenantId: number,
  batchId: number,
  now = new Date(),
): Promise<ImageJobView> {
  const [batch] = await db
    .select({
      id: imageBatches.id,
      stream: imageBatches.stream,
      status: imageBatches.status,
      error: imageBatches.error,
      createdAt: imageBatches.createdAt,
      finishedAt: imageBatches.finishedAt,
      imagesDeletedAt: imageBatches.imagesDeletedAt,
      attempts: jobs.attempts,
    })
    .from(imageBatches)
    .leftJoin(jobs, eq(jobs.id, imageBatches.jobId))
    .where(and(eq(imageBatches.tenantId, tenantId), eq(imageBatches.id, batchId)));
  if (!batch) throw new FacedriftError("not_found", "no such image job", { field: "id" });
  const files = await db
    .select({
      position: imageFiles.position,
      filename: imageFiles.filename,
      mediaType: imageFiles.mediaType,
      bytes: imageFiles.bytes,
      sha256: imageFiles.sha256,
      width: imageFiles.width,
      height: imageFiles.height,
      status: imageFiles.status,
      reason: imageFiles.reason,
      faces: imageFiles.faces,
      embeddingId: imageFiles.embeddingId,
    })
    .from(imageFiles)
    .where(eq(imageFiles.batchId, batchId))
    .orderBy(asc(imageFiles.position));
  const progress = {
    total: files.length,
    done: 0,
    pending: 0,
    embedded: 0,
    no_face: 0,
    several_faces: 0,
    failed: 0,
  };
  for (const file of files) {
    progress[file.status]++;
    if (file.status !== "pending") progress.done++;
  }
  const attempts = batch.attempts ?? 0;
  return {
    id: batch.id,
    stream: batch.stream,
    status: batch.status,
    attempts,
    error: batch.error,
    waiting: batch.status === "queued" && attempts === 0 ? waitingMessage(batch.createdAt, now) : null,
    progress,
    createdAt: batch.createdAt.toISOString(),
    finishedAt: iso(batch.finishedAt),
    imagesDeletedAt: iso(batch.imagesDeletedAt),
    files,
  };
}
