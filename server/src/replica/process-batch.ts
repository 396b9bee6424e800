/**
 * @module
 * One image batch, file by file: each pending file is read from the image store, embedded by the
 * browser page, its embedding ingested through the normal path (`services/embeddings/ingest.ts`,
 * source `replica`), and its result recorded. The embedding id is `<batch id>:<sha256>`, so a
 * replica that dies between ingesting and recording leaves a file that the next replica embeds
 * again and ingestion counts as a duplicate: never a second row.
 */
import { type ModelRef, modelsForFace } from "@facedrift/models/sampling";
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import { imageBatches } from "../db/schema/image-batch.ts";
import { type ImageFileStatus, imageFiles } from "../db/schema/image-file.ts";
import { publicIdsOf } from "../ids/public-ids.ts";
import type { ImageStore } from "../images/store.ts";
import type { FacePolicy } from "../images/upload.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { streamOf } from "../services/stream-models/names.ts";
import { transitionHint } from "../services/stream-models/tracks.ts";
import type { ImageEmbedder, PageFace, PageImageResult } from "./chromium.ts";

export interface BatchContext {
  database: Database;
  store: ImageStore;
  embedder: ImageEmbedder;
  batchId: number;
  faces: FacePolicy;
  /** Checked before each file (each group of files when batching); false stops the batch (the lease was lost). */
  stillOwned: () => Promise<boolean>;
  /**
   * Files per page call in batched model runs (`ImageEmbedder.embedBatch`); 1, or a page without
   * it, embeds one file per call. Each file's outcome is the same either way (per face, the
   * batched models give what the single ones do: `e2e/webgpu.e2e.test.ts`).
   */
  batchSize?: number;
}

interface Outcome {
  status: ImageFileStatus;
  reason: string | null;
  faces: number | null;
  embeddingId: string | null;
  details: Record<string, unknown> | null;
}

/** Runs every pending file; returns false if it stopped because the job was taken over. */
export async function processImageBatch(context: BatchContext): Promise<boolean> {
  const { database, batchId } = context;
  const [batch] = await database.db.select().from(imageBatches).where(eq(imageBatches.id, batchId));
  if (!batch) throw new Error(`image batch ${batchId} does not exist`);
  await database.db.update(imageBatches).set({ status: "running" }).where(eq(imageBatches.id, batchId));
  const pending = await database.db
    .select()
    .from(imageFiles)
    .where(and(eq(imageFiles.batchId, batchId), eq(imageFiles.status, "pending")))
    .orderBy(asc(imageFiles.position));
  const size = context.embedder.embedBatch ? Math.max(1, context.batchSize ?? 1) : 1;
  for (let i = 0; i < pending.length; i += size) {
    if (!(await context.stillOwned())) return false;
    const group = pending.slice(i, i + size);
    const stored = await Promise.all(
      group.map(async (file) => (file.objectKey ? await context.store.get(file.objectKey) : null)),
    );
    const present = group.flatMap((file, k) => {
      const bytes = stored[k];
      return bytes ? [{ file, bytes }] : [];
    });
    const results =
      size === 1
        ? await Promise.all(present.map(({ file, bytes }) => context.embedder.embed(bytes, file.mediaType)))
        : await (context.embedder.embedBatch as NonNullable<ImageEmbedder["embedBatch"]>)(
            present.map(({ file, bytes }) => ({ bytes, mediaType: file.mediaType })),
            size,
          );
    for (const file of group) {
      const at = present.findIndex((p) => p.file.id === file.id);
      const result = results[at];
      const outcome =
        at < 0 || !result
          ? failed("the stored image was deleted before it was processed")
          : await embedFile(context, batch, file, result);
      await database.db
        .update(imageFiles)
        .set({ ...outcome, processedAt: new Date() })
        .where(eq(imageFiles.id, file.id));
    }
  }
  return true;
}

const failed = (reason: string): Outcome => ({
  status: "failed",
  reason,
  faces: null,
  embeddingId: null,
  details: null,
});

async function embedFile(
  context: BatchContext,
  batch: typeof imageBatches.$inferSelect,
  file: typeof imageFiles.$inferSelect,
  result: PageImageResult,
): Promise<Outcome> {
  if (!result.ok) {
    const what =
      result.stage === "decode" ? "the browser could not decode the image" : "the face pipeline failed";
    return failed(`${what}: ${result.message}`);
  }
  const details = {
    engines: result.engines.map((e) => `${e.runtime}/${e.backend}`),
    totalMs: result.totalMs,
    ...(result.fallback ? { fallback: result.fallback } : {}),
    ...(result.batch ? { batch: result.batch.size } : {}),
  };
  const none = { embeddingId: null, faces: result.detected, details };
  if (result.detected === 0) return { ...none, status: "no_face", reason: "no face found" };
  const face = result.faces[0];
  if ((result.detected > 1 && context.faces === "single") || !face) {
    return {
      ...none,
      status: "several_faces",
      reason: `${result.detected} faces found; an uploaded image must show one person`,
    };
  }
  // The batch as its client knows it (its public id), so stored ids and metadata name no row id.
  const batchId = (await publicIdsOf(context.database.db)).encode("image-job", batch.id);
  const embeddingId = `${batchId}:${file.sha256}`;
  const metadata = {
    box: face.box,
    frame: { width: result.width, height: result.height },
    image: { batch: batchId, position: file.position, filename: file.filename, sha256: file.sha256 },
    engine: details.engines.join(","),
    // A WebGPU failure moved the page to WASM: each embedding made after it says so.
    ...(result.fallback ? { fallback: result.fallback } : {}),
  };
  const models = await embedWithStreamModels(context, batch, embeddingId, face, result.batch?.index);
  for (const { model, embedding, quality } of models) {
    await ingestEmbeddings(context.database, {
      tenantId: batch.tenantId,
      stream: batch.stream,
      model,
      items: [
        {
          id: embeddingId,
          ts: batch.createdAt.getTime(),
          embedding,
          source: "replica",
          metadata: { quality, ...metadata },
        },
      ],
    });
  }
  if (models.length > 1 || models[0]?.model.id !== context.embedder.loaded.embedder.id) {
    Object.assign(details, { models: models.map(({ model }) => `${model.id}@${model.version}`) });
  }
  const reason = result.detected > 1 ? `${result.detected} faces found; the largest was embedded` : null;
  return { status: "embedded", reason, faces: result.detected, embeddingId, details };
}

/**
 * The face's embedding with each model the stream's transition asks for (`modelsForFace`): the
 * page's default embedding as it came, another model's embedded again from the same image. The
 * same id goes to each model's track, so a face's embeddings pair up across models.
 */
async function embedWithStreamModels(
  context: BatchContext,
  batch: typeof imageBatches.$inferSelect,
  embeddingId: string,
  face: PageFace,
  /** The image's place in the page's last batch, when it came from `embedBatch`. */
  item?: number,
): Promise<Array<{ model: ModelRef; embedding: number[]; quality: PageFace["quality"] }>> {
  const { embedder } = context;
  const fallback = { id: embedder.loaded.embedder.id, version: embedder.loaded.embedder.version };
  const runnable = [fallback, ...(embedder.again ? (embedder.loaded.others ?? []) : [])];
  const canRun = (model: ModelRef) => runnable.some((m) => m.id === model.id && m.version === model.version);
  const transition = await transitionHint(context.database.db, batch.tenantId, streamOf(batch.stream));
  const out: Array<{ model: ModelRef; embedding: number[]; quality: PageFace["quality"] }> = [];
  for (const model of modelsForFace(transition, embeddingId, fallback, canRun)) {
    if (model.id === fallback.id && model.version === fallback.version) {
      out.push({ model, embedding: face.embedding, quality: face.quality });
      continue;
    }
    const again = await (embedder.again as NonNullable<ImageEmbedder["again"]>)(model, item);
    if (!again.ok) throw new Error(`embedding with ${model.id}@${model.version} failed: ${again.message}`);
    // The same detector and rule found no face for this model's pipeline: nothing to send for it.
    if (again.face) out.push({ model, embedding: again.face.embedding, quality: again.face.quality });
  }
  return out;
}
