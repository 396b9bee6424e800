/**
 * @module
 * The capture worker's entry point: loads the face pipeline through `@facedrift/models`' browser
 * adapter (onnxruntime-web and TensorFlow.js, each on WebGPU when the worker gets an adapter and
 * on WASM otherwise; model files fetched from this app's origin and verified against the registry)
 * and answers `WorkerRequest`s through Comlink.
 */
import { type Detection, type FacePipeline, loadPipeline } from "@facedrift/models";
import { createBrowserEngines, fetchFileSource } from "@facedrift/models/browser";
import * as Comlink from "comlink";
import { setWorkerEnvironment } from "./face-api-env.ts";
import { bitmapToImage } from "./frame.ts";
import { CAPTURE_MODELS } from "./models.ts";
import type { EngineInfo, FaceWorkerApi, WorkerRequest, WorkerResponse } from "./protocol.ts";

let loading: Promise<{ pipeline: FacePipeline; engines: EngineInfo[]; loadMs: number }> | undefined;

/** A capture station films one person: keep the largest detection. */
const selectLargest = (detections: Detection[]): Detection[] => {
  const area = ({ box }: Detection) => box.width * box.height;
  const best = detections.reduce<Detection | undefined>(
    (a, d) => (!a || area(d) > area(a) ? d : a),
    undefined,
  );
  return best ? [best] : [];
};

async function load(modelsBase: string, tfjsWasmBase: string) {
  const started = performance.now();
  setWorkerEnvironment();
  const engines = await createBrowserEngines({ wasmPaths: tfjsWasmBase });
  const pipeline = await loadPipeline(
    { engines, source: fetchFileSource(modelsBase) },
    { embedders: [CAPTURE_MODELS.embedder], select: selectLargest },
  );
  return {
    pipeline,
    engines: engines.map(({ runtime, backend }) => ({ runtime, backend })),
    loadMs: performance.now() - started,
  };
}

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  switch (request.type) {
    case "load": {
      loading ??= load(request.modelsBase, request.tfjsWasmBase);
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
      const { pipeline } = await loading;
      const started = performance.now();
      const image = bitmapToImage(request.frame);
      const { faces, timings } = await pipeline.process(image);
      const response: WorkerResponse = {
        id: request.id,
        type: "processed",
        width: image.width,
        height: image.height,
        faces: faces.flatMap(({ box, score, quality, embeddings }) => {
          const embedding = embeddings[CAPTURE_MODELS.embedder.id];
          return embedding ? [{ box, score, quality, embedding }] : [];
        }),
        timings,
        totalMs: performance.now() - started,
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
