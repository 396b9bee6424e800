/**
 * @module
 * The capture worker's entry point: loads the face pipeline through `@facedrift/models`' browser
 * adapter (onnxruntime-web and TensorFlow.js, each on WebGPU when the worker gets an adapter and
 * on WASM otherwise, see `engines.ts`; model files fetched from this app's origin and verified
 * against the registry) and answers `WorkerRequest`s through Comlink.
 */
import {
  type Detection,
  type FacePipeline,
  loadPipeline,
  type PipelineResult,
  qualityFor,
  type RgbaImage,
  selectCentral,
  selectLargest,
} from "@facedrift/models";
import { fetchFileSource } from "@facedrift/models/browser";
import * as Comlink from "comlink";
import { createWorkerEngines, type EngineChoice } from "./engines.ts";
import { bitmapToImage } from "./frame.ts";
import { CAPTURE_MODELS } from "./models.ts";
import type { EngineInfo, FaceChoice, FaceWorkerApi, WorkerRequest, WorkerResponse } from "./protocol.ts";

interface Loaded {
  pipeline: FacePipeline;
  engines: EngineInfo[];
  loadMs: number;
}

type Bases = Omit<Extract<WorkerRequest, { type: "load" }>, "id" | "type">;

let bases: Bases | undefined;
let loading: Promise<Loaded> | undefined;

/**
 * How many faces the detector found in each image, before the selection kept one: the replica
 * reports "several faces" from it. Keyed by the image object, so concurrent requests cannot mix.
 */
const detectedIn = new WeakMap<RgbaImage, number>();

/** Which face each image's request asked for (default `largest`), keyed like `detectedIn`. */
const choiceFor = new WeakMap<RgbaImage, FaceChoice>();

/**
 * A capture station films one person: keep the largest detection. A replica's verification run
 * asks for the central one instead (LFW's convention: bystanders are often larger than the
 * subject), so its AUC is the one `facedrift verify` reports.
 */
const selectFace = (detections: Detection[], image: RgbaImage): Detection[] => {
  detectedIn.set(image, detections.length);
  return (choiceFor.get(image) === "central" ? selectCentral : selectLargest)(detections, image);
};

async function load(from: Bases, choice: EngineChoice): Promise<Loaded> {
  const started = performance.now();
  const engines = await createWorkerEngines(choice, from.tfjsWasmBase);
  const pipeline = await loadPipeline(
    { engines, source: fetchFileSource(from.modelsBase) },
    { embedders: [CAPTURE_MODELS.embedder], select: selectFace },
  );
  return {
    pipeline,
    engines: engines.map(({ runtime, backend }) => ({ runtime, backend })),
    loadMs: performance.now() - started,
  };
}

/** Runs the pipeline; if a WebGPU engine fails, reloads everything on WASM and runs the frame again. */
async function processImage(image: RgbaImage): Promise<{ result: PipelineResult; fallback?: string }> {
  const loaded = await (loading as Promise<Loaded>);
  try {
    return { result: await loaded.pipeline.process(image) };
  } catch (error) {
    if (!bases || !loaded.engines.some((engine) => engine.backend === "webgpu")) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    loading = load(bases, "wasm");
    return { result: await (await loading).pipeline.process(image), fallback: `WebGPU failed (${reason})` };
  }
}

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  switch (request.type) {
    case "load": {
      bases = { modelsBase: request.modelsBase, tfjsWasmBase: request.tfjsWasmBase };
      loading ??= load(bases, "best");
      const { engines, loadMs } = await loading;
      const { detector, landmarker, embedder } = CAPTURE_MODELS;
      return {
        id: request.id,
        type: "loaded",
        engines,
        loadMs,
        embedder: { id: embedder.id, version: embedder.version, dimension: embedder.output.dimension },
        detector: { id: detector.id, version: detector.version },
        landmarker: { id: landmarker.id, version: landmarker.version },
      };
    }
    case "process": {
      if (!loading) {
        request.frame.close();
        throw new Error("process() called before load()");
      }
      const started = performance.now();
      const image = bitmapToImage(request.frame);
      if (request.select) choiceFor.set(image, request.select);
      const { result, fallback } = await processImage(image);
      const response: WorkerResponse = {
        id: request.id,
        type: "processed",
        width: image.width,
        height: image.height,
        detected: detectedIn.get(image) ?? result.faces.length,
        faces: result.faces.flatMap((face) => {
          const embedding = face.embeddings[CAPTURE_MODELS.embedder.id];
          const quality = qualityFor(face, CAPTURE_MODELS.embedder.id);
          return embedding ? [{ box: face.box, score: face.score, quality, embedding }] : [];
        }),
        timings: result.timings,
        totalMs: performance.now() - started,
        engines: (await loading).engines,
        ...(fallback ? { fallback } : {}),
      };
      return Comlink.transfer(
        response,
        response.faces.map((face) => face.embedding.buffer as ArrayBuffer),
      );
    }
  }
}

const api: FaceWorkerApi = {
  async handle(request) {
    try {
      return await answer(request);
    } catch (error) {
      // A failed load is not cached, so the page can retry it.
      if (request.type === "load") loading = undefined;
      const message = error instanceof Error ? error.message : String(error);
      return { id: request.id, type: "failed", request: request.type, message };
    }
  },
};

Comlink.expose(api);
