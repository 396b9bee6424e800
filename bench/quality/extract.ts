/**
 * @module
 * Runs images through the face pipeline (Node, WASM) and appends their embeddings to the cache,
 * skipping what is cached. One pipeline pass feeds every requested embedder, so the 128-D and
 * 1024-D models see identical detections. Progress (images/s, ETA) goes to stderr.
 */
import {
  CATALOG,
  createFacePipeline,
  DEFAULT_MODELS,
  type FacePipeline,
  loadDetector,
  loadEmbedder,
  loadLandmarker,
  selectCentral,
} from "@facedrift/models";
import { createNodeEngines, nodeFileSource } from "@facedrift/models/node";
import { appendToCache, cacheFile, readCache } from "./cache.ts";
import { type Shift, shiftedImage } from "./shifts.ts";

export async function loadBenchPipeline(embedders: readonly string[]): Promise<FacePipeline> {
  const context = { engines: await createNodeEngines(), source: nodeFileSource() };
  const entry = (id: string) => {
    const found = CATALOG[id];
    if (!found) throw new Error(`unknown model ${id}`);
    return found;
  };
  return createFacePipeline({
    detector: await loadDetector(context, entry(DEFAULT_MODELS.detector)),
    landmarker: await loadLandmarker(context, entry(DEFAULT_MODELS.landmarker)),
    embedders: await Promise.all(embedders.map((id) => loadEmbedder(context, entry(id)))),
    select: selectCentral,
  });
}

export interface ExtractionJob {
  shift: Shift;
  images: readonly string[];
  models: readonly string[];
}

/** Extracts the missing (image, model) embeddings of each job, in order. */
export async function extract(
  pipeline: FacePipeline,
  jobs: readonly ExtractionJob[],
  seed: number,
  deadline = Number.POSITIVE_INFINITY,
): Promise<void> {
  const pending = jobs.map((job) => {
    const files = job.models.map((m) => cacheFile(m, job.shift, seed));
    const done = files.map(readCache);
    const todo = job.images.filter((im) => done.some((c) => !c.embeddings.has(im) && !c.noFace.has(im)));
    return { job, files, todo };
  });
  const total = pending.reduce((s, p) => s + p.todo.length, 0);
  let count = 0;
  const started = Date.now();
  for (const { job, files, todo } of pending) {
    for (const image of todo) {
      if (Date.now() > deadline) {
        process.stderr.write("extraction: deadline reached, stopping (rerun to resume)\n");
        return;
      }
      const raw = await shiftedImage(image, job.shift.params, seed).catch(() => undefined);
      const face = raw ? (await pipeline.process(raw)).faces[0] : undefined;
      job.models.forEach((model, i) => {
        appendToCache(files[i] as string, image, face?.embeddings[model]);
      });
      count++;
      if (count % 50 === 0 || count === total) {
        const seconds = (Date.now() - started) / 1000;
        const rate = count / seconds;
        process.stderr.write(
          `extract ${job.shift.id}: ${count}/${total} images, ${rate.toFixed(2)} img/s, ETA ${((total - count) / rate / 60).toFixed(1)} min\n`,
        );
      }
    }
  }
}
