/**
 * @module
 * The capture worker's protocol: one request union and one response union, each message tagged
 * with `type` and the request `id` it answers (the shape of svelte.dev's `workers.d.ts`). Comlink
 * carries the messages and transfers the frames and embeddings; failures come back as a `failed`
 * response, not as a thrown error, so the main thread sees one vocabulary.
 */
import type { Backend, Box, FaceQuality, Runtime, StageTimings } from "@facedrift/models";

/** Where the app serves model files, below its base path: `<base>/models/<package>/<path>`. */
export const MODELS_DIR = "models";
/** Where the app serves TensorFlow.js's WASM binaries, below its base path. */
export const TFJS_WASM_DIR = "runtime/tfjs-backend-wasm";

export type WorkerRequest =
  | {
      id: number;
      type: "load";
      /** Absolute URL of the folder holding `<package>/<path>` model files (served by this app). */
      modelsBase: string;
      /** Absolute URL of the folder holding TensorFlow.js's `.wasm` files, ending in `/`. */
      tfjsWasmBase: string;
    }
  | {
      id: number;
      type: "process";
      /** Transferred, and closed by the worker. */
      frame: ImageBitmap;
      /**
       * Which face to embed: the `largest` (default: a capture station films one person) or the
       * one nearest the `central` point (LFW's convention, for a replica's verification runs).
       */
      select?: FaceChoice;
    }
  | {
      id: number;
      type: "process-batch";
      /** Transferred, and closed by the worker. */
      frames: ImageBitmap[];
      select?: FaceChoice;
      /**
       * Model runs of at most this many images (detector) or faces (landmarker, embedder), on the
       * derived batched models; 1 runs them one at a time.
       */
      batchSize: number;
    }
  | {
      id: number;
      type: "again";
      /**
       * Embeds the face kept from the last processed frame with this embedder too (one of
       * `OTHER_EMBEDDERS` in `models.ts`, loaded on first use): a stream's candidate model.
       */
      embedder: { id: string; version: string };
      /** Which image of the last `process-batch` to use; absent: the last processed frame. */
      item?: number;
    };

export type FaceChoice = "largest" | "central";

/** Which library runs the models and on what. */
export interface EngineInfo {
  runtime: Runtime;
  backend: Backend;
  /** WebGPU only: the adapter, e.g. `google/swiftshader (…)` or `mesa/llvmpipe (…)`. */
  adapter?: string;
}

/** The embedder whose vectors the worker returns, as the ingest API names models. */
export interface EmbedderInfo {
  id: string;
  version: string;
  dimension: number;
}

/** One face found in a frame. */
export interface FrameFace {
  /** In frame pixels. */
  box: Box;
  score: number;
  quality: FaceQuality;
  /** Unit-norm; its buffer is transferred. */
  embedding: Float32Array;
}

export type WorkerResponse =
  | {
      id: number;
      type: "loaded";
      engines: EngineInfo[];
      embedder: EmbedderInfo;
      detector: { id: string; version: string };
      landmarker: { id: string; version: string };
      loadMs: number;
      /** Set when loading on WebGPU failed and the worker loaded on WASM instead: why. */
      fallback?: string;
    }
  | {
      id: number;
      type: "processed";
      width: number;
      height: number;
      /** Faces the detector found, before the largest was kept. */
      detected: number;
      /** At most one: the largest face (a capture station films one person at a time). */
      faces: FrameFace[];
      timings: StageTimings;
      totalMs: number;
      /** The engines that processed this frame. */
      engines: EngineInfo[];
      /**
       * Set on every frame once a WebGPU failure (at load or on a frame) moved the worker to WASM:
       * why. Each embedding made after it records it (`metadata.fallback`).
       */
      fallback?: string;
    }
  | {
      id: number;
      type: "processed-batch";
      /** Per frame, in order: what `processed` says of one frame. */
      items: Array<{ width: number; height: number; detected: number; faces: FrameFace[] }>;
      /** Each stage's time for the whole batch. */
      timings: StageTimings;
      totalMs: number;
      engines: EngineInfo[];
      fallback?: string;
    }
  | {
      id: number;
      type: "embedded-again";
      embedder: EmbedderInfo;
      /** The last frame's kept face as this embedder saw it; null when it found none there. */
      face: FrameFace | null;
      totalMs: number;
    }
  | {
      id: number;
      type: "failed";
      request: WorkerRequest["type"];
      message: string;
    };

/** The response type that answers request type `T`. */
export type ResponseTo<T extends WorkerRequest["type"]> = Extract<
  WorkerResponse,
  {
    type: T extends "load"
      ? "loaded"
      : T extends "again"
        ? "embedded-again"
        : T extends "process-batch"
          ? "processed-batch"
          : "processed";
  }
>;

/** What the worker exposes through Comlink. */
export interface FaceWorkerApi {
  handle(request: WorkerRequest): Promise<WorkerResponse>;
}
