/**
 * @module
 * The capture worker's entry point: loads the face pipeline through `@facedrift/models`' browser
 * adapter (onnxruntime-web and TensorFlow.js, each on WebGPU when the worker gets an adapter and
 * on WASM otherwise, see `engines.ts`; model files fetched from this app's origin and verified
 * against the registry) and answers `WorkerRequest`s through Comlink.
 */
import {
  type Detection,
  type Face,
  type FacePipeline,
  loadPipeline,
  type PipelineBatchResult,
  type PipelineResult,
  qualityFor,
  type RgbaImage,
  selectCentral,
  selectLargest,
} from "@facedrift/models";
import { fetchFileSource, preferredBackend } from "@facedrift/models/browser";
import * as Comlink from "comlink";
import { createWorkerEngines, type EngineChoice } from "./engines.ts";
import { bitmapToImage } from "./frame.ts";
import { CAPTURE_MODELS, OTHER_EMBEDDERS } from "./models.ts";
import type {
  EngineInfo,
  FaceChoice,
  FaceWorkerApi,
  FrameFace,
  WorkerRequest,
  WorkerResponse,
} from "./protocol.ts";

interface Loaded {
  pipeline: FacePipeline;
  engines: EngineInfo[];
  loadMs: number;
  /** What loaded it, to load another embedder's pipeline on the same engines. */
  context: Parameters<typeof loadPipeline>[0];
  /** Pipelines of `OTHER_EMBEDDERS`, by model id, loaded on first use. */
  others: Map<string, Promise<FacePipeline>>;
  /** The pipeline on the derived batched detector and landmarker, loaded on the first batch. */
  batched?: Promise<FacePipeline>;
}

type Bases = Omit<Extract<WorkerRequest, { type: "load" }>, "id" | "type">;

let bases: Bases | undefined;
let loading: Promise<Loaded> | undefined;
/** The last processed frame, kept for `again` (one frame: a capture station's or a replica's). */
let lastImage: RgbaImage | undefined;
/** The last `process-batch`'s frames, for `again` with an `item`. */
let lastBatch: RgbaImage[] = [];

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
  const context = { engines, source: fetchFileSource(from.modelsBase) };
  const pipeline = await loadPipeline(context, { embedders: [CAPTURE_MODELS.embedder], select: selectFace });
  return {
    pipeline,
    engines: engines.map(({ runtime, backend, adapter }) => ({
      runtime,
      backend,
      ...(adapter ? { adapter } : {}),
    })),
    loadMs: performance.now() - started,
    context,
    others: new Map(),
  };
}

/**
 * Why the worker runs on WASM although WebGPU was its first choice, once a WebGPU load or run has
 * failed; every later frame carries it, so each embedding records that it is a fallback's.
 */
let fallback: string | undefined;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The best engines; if loading on WebGPU fails, WASM, with the reason kept in `fallback`. */
async function loadBest(from: Bases): Promise<Loaded> {
  try {
    return await load(from, "best");
  } catch (error) {
    // Only a WebGPU attempt has somewhere to fall back to; a WASM failure is the page's to see.
    if ((await preferredBackend().catch(() => "wasm")) !== "webgpu") throw error;
    fallback = `WebGPU failed to load (${reasonOf(error)})`;
    return load(from, "wasm");
  }
}

/**
 * Runs the last frame again through a pipeline with another embedder. Detection and selection are
 * the same models and rule, so it keeps the same face; only the embedding differs.
 */
async function embedAgain(model: { id: string; version: string }, item?: number) {
  const entry = OTHER_EMBEDDERS.find((e) => e.id === model.id && e.version === model.version);
  if (!entry?.output) throw new Error(`this worker cannot embed with ${model.id}@${model.version}`);
  const image = item === undefined ? lastImage : lastBatch[item];
  if (!image) throw new Error(`again() names no processed frame (item ${item ?? "last"})`);
  const loaded = await (loading as Promise<Loaded>);
  let pipeline = loaded.others.get(entry.id);
  if (!pipeline) {
    pipeline = loadPipeline(loaded.context, { embedders: [entry], select: selectFace });
    loaded.others.set(entry.id, pipeline);
    pipeline.catch(() => loaded.others.delete(entry.id));
  }
  const result = await (await pipeline).process(image);
  const face = result.faces[0];
  const embedding = face?.embeddings[entry.id];
  return {
    embedder: { id: entry.id, version: entry.version, dimension: entry.output.dimension },
    face:
      face && embedding
        ? { box: face.box, score: face.score, quality: qualityFor(face, entry.id), embedding }
        : null,
  };
}

/** Runs the pipeline; if a WebGPU engine fails, reloads everything on WASM, runs the frame again and says why. */
async function processImage(image: RgbaImage): Promise<PipelineResult> {
  const loaded = await (loading as Promise<Loaded>);
  try {
    return await loaded.pipeline.process(image);
  } catch (error) {
    if (!bases || !loaded.engines.some((engine) => engine.backend === "webgpu")) throw error;
    fallback = `WebGPU failed (${reasonOf(error)})`;
    loading = load(bases, "wasm");
    return (await loading).pipeline.process(image);
  }
}

/** The batched pipeline on the loaded engines (same engines and rule, derived batched models). */
function batchedPipeline(loaded: Loaded): Promise<FacePipeline> {
  if (!loaded.batched) {
    loaded.batched = loadPipeline(loaded.context, {
      embedders: [CAPTURE_MODELS.embedder],
      select: selectFace,
      batched: true,
    });
    loaded.batched.catch(() => {
      loaded.batched = undefined;
    });
  }
  return loaded.batched;
}

/** `processImage` for a batch: on a WebGPU failure, WASM for this batch and every later frame. */
async function processImages(images: RgbaImage[], batchSize: number): Promise<PipelineBatchResult> {
  const loaded = await (loading as Promise<Loaded>);
  try {
    return await (await batchedPipeline(loaded)).processBatch(images, batchSize);
  } catch (error) {
    if (!bases || !loaded.engines.some((engine) => engine.backend === "webgpu")) throw error;
    fallback = `WebGPU failed (${reasonOf(error)})`;
    loading = load(bases, "wasm");
    return (await batchedPipeline(await loading)).processBatch(images, batchSize);
  }
}

/** What the worker returns of one frame's faces: the capture embedder's, with its quality. */
const frameFaces = (faces: readonly Face[]): FrameFace[] =>
  faces.flatMap((face) => {
    const embedding = face.embeddings[CAPTURE_MODELS.embedder.id];
    const quality = qualityFor(face, CAPTURE_MODELS.embedder.id);
    return embedding ? [{ box: face.box, score: face.score, quality, embedding }] : [];
  });

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  switch (request.type) {
    case "load": {
      bases = { modelsBase: request.modelsBase, tfjsWasmBase: request.tfjsWasmBase };
      loading ??= loadBest(bases);
      const { engines, loadMs } = await loading;
      const { detector, landmarker, embedder } = CAPTURE_MODELS;
      return {
        id: request.id,
        type: "loaded",
        engines,
        loadMs,
        ...(fallback ? { fallback } : {}),
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
      const result = await processImage(image);
      lastImage = image;
      const response: WorkerResponse = {
        id: request.id,
        type: "processed",
        width: image.width,
        height: image.height,
        detected: detectedIn.get(image) ?? result.faces.length,
        faces: frameFaces(result.faces),
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
    case "process-batch": {
      if (!loading) {
        for (const frame of request.frames) frame.close();
        throw new Error("process-batch called before load()");
      }
      const started = performance.now();
      const images = request.frames.map((frame) => {
        const image = bitmapToImage(frame);
        if (request.select) choiceFor.set(image, request.select);
        return image;
      });
      const result = await processImages(images, Math.max(1, Math.floor(request.batchSize)));
      lastBatch = images;
      const items = images.map((image, i) => {
        const faces = frameFaces(result.faces[i] ?? []);
        return {
          width: image.width,
          height: image.height,
          detected: detectedIn.get(image) ?? faces.length,
          faces,
        };
      });
      const response: WorkerResponse = {
        id: request.id,
        type: "processed-batch",
        items,
        timings: result.timings,
        totalMs: performance.now() - started,
        engines: (await loading).engines,
        ...(fallback ? { fallback } : {}),
      };
      return Comlink.transfer(
        response,
        items.flatMap((item) => item.faces.map((face) => face.embedding.buffer as ArrayBuffer)),
      );
    }
    case "again": {
      if (!loading) throw new Error("again() called before load()");
      const started = performance.now();
      const { embedder, face } = await embedAgain(request.embedder, request.item);
      const response: WorkerResponse = {
        id: request.id,
        type: "embedded-again",
        embedder,
        face,
        totalMs: performance.now() - started,
      };
      return Comlink.transfer(response, face ? [face.embedding.buffer as ArrayBuffer] : []);
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
