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
  type Detector,
  type Embedder,
  type FacePipeline,
  type Landmarker,
  loadDetector,
  loadEmbedder,
  loadLandmarker,
  qualityFor,
  selectCentral,
} from "@facedrift/models";
import { createNodeEngines, nodeFileSource } from "@facedrift/models/node";
import { appendToCache, cacheFile, readCache } from "./cache.ts";
import { shiftEmbedder } from "./pipeline-shifts.ts";
import { type Shift, shiftedImage } from "./shifts.ts";

export interface BenchStages {
  detector: Detector;
  landmarker: Landmarker;
  embedders: Embedder[];
}

/** Loads the detector, the landmarker and `embedders` once; pipelines per shift are built over them. */
export async function loadBenchStages(embedders: readonly string[]): Promise<BenchStages> {
  const context = { engines: await createNodeEngines(), source: nodeFileSource() };
  const entry = (id: string) => {
    const found = CATALOG[id];
    if (!found) throw new Error(`unknown model ${id}`);
    return found;
  };
  return {
    detector: await loadDetector(context, entry(DEFAULT_MODELS.detector)),
    landmarker: await loadLandmarker(context, entry(DEFAULT_MODELS.landmarker)),
    embedders: await Promise.all(embedders.map((id) => loadEmbedder(context, entry(id)))),
  };
}

/** The pipeline as `shift` runs it: pipeline faults wrap the embedders, photo shifts leave them alone. */
export function benchPipeline(stages: BenchStages, shift: Shift, models: readonly string[]): FacePipeline {
  return createFacePipeline({
    detector: stages.detector,
    landmarker: stages.landmarker,
    embedders: stages.embedders
      .filter((e) => models.includes(e.id))
      .map((e) => shiftEmbedder(e, shift.params)),
    select: selectCentral,
  });
}

export async function loadBenchPipeline(embedders: readonly string[]): Promise<FacePipeline> {
  const stages = await loadBenchStages(embedders);
  return benchPipeline(
    stages,
    { id: "clean", family: "clean", strength: "—", label: "", params: { kind: "none" } },
    embedders,
  );
}

export interface ExtractionJob {
  shift: Shift;
  images: readonly string[];
  models: readonly string[];
}

/** Extracts the missing (image, model) embeddings of each job, in order. */
export async function extract(
  stages: BenchStages | FacePipeline,
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
    const pipeline = "process" in stages ? stages : benchPipeline(stages, job.shift, job.models);
    for (const image of todo) {
      if (Date.now() > deadline) {
        process.stderr.write("extraction: deadline reached, stopping (rerun to resume)\n");
        return;
      }
      // A missing photo is a missing face (the originals lack a few); any other failure is a bug.
      const raw = await shiftedImage(image, job.shift.params, seed).catch((error: Error) => {
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || /missing|no such file/i.test(error.message))
          return undefined;
        throw error;
      });
      const face = raw ? (await pipeline.process(raw)).faces[0] : undefined;
      job.models.forEach((model, i) => {
        const embedding = face?.embeddings[model];
        appendToCache(
          files[i] as string,
          image,
          face && embedding ? { embedding, quality: qualityFor(face, model) } : undefined,
        );
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
