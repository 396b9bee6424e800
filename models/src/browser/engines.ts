/**
 * @module
 * The engines for a browser page, a web worker or headless Chromium: both runtimes on WebGPU where
 * the host offers an adapter, or both on WASM. face-api's `esm-nobundle` build shares the page's
 * `@tensorflow/tfjs` instead of bundling its own copy, so one backend registry serves both.
 * onnxruntime-web's WebGPU build is imported only when WebGPU is asked for (why that build, and
 * not the default one's JSEP provider: `engine/onnx.ts`). Exercised in Chromium by the worker's
 * end-to-end tests (`e2e/webgpu.e2e.test.ts`), not by this package's Node tests.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import * as faceapi from "@vladmandic/face-api/dist/face-api.esm-nobundle.js";
import * as ortWasm from "onnxruntime-web/wasm";
import { createOnnxEngine } from "../engine/onnx.ts";
import { createTfjsEngine } from "../engine/tfjs.ts";
import type { Backend, Engine } from "../engine/types.ts";
import { findGpuAdapter, requestGpuDevice } from "../engine/webgpu.ts";

/** Options for {@link createBrowserEngines}. */
export interface BrowserEngineOptions {
  /** Where tfjs-backend-wasm finds its `.wasm` files. */
  readonly wasmPaths?: string;
  /**
   * Pin both engines to one backend; by default WebGPU where the host offers an adapter. A host
   * whose WebGPU run fails retries with `"wasm"` and says so (`web/src/lib/worker/`).
   */
  readonly backend?: Backend;
}

/** WebGPU where the host offers an adapter (core or compatibility), WASM otherwise. */
export async function preferredBackend(): Promise<Backend> {
  return (await findGpuAdapter()) ? "webgpu" : "wasm";
}

/** Both engines on the pinned backend, or the preferred one; `engine.backend` says which. */
export async function createBrowserEngines(options: BrowserEngineOptions = {}): Promise<Engine[]> {
  if (options.wasmPaths) {
    const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(options.wasmPaths);
  }
  const backend = options.backend ?? (await preferredBackend());
  const modules = { tf, faceapi: faceapi as unknown as typeof import("@vladmandic/face-api") };
  if (backend === "wasm")
    return [await createOnnxEngine({ ort: ortWasm, backend }), await createTfjsEngine(modules, { backend })];

  const ortGpu = await import("onnxruntime-web/webgpu");
  const onnxGpu = await requestGpuDevice();
  // tfjs-backend-webgpu's own factory asks for a core adapter; a compatibility-only host has none,
  // so the backend is registered again on a device of ours (one adapter hands out one device).
  const tfGpu = await requestGpuDevice();
  tf.removeBackend("webgpu");
  tf.registerBackend(
    "webgpu",
    () =>
      new WebGPUBackend(tfGpu.device as never, tfGpu.adapter.info as never) as unknown as tf.KernelBackend,
    3,
  );
  return [
    await createOnnxEngine({ ort: ortGpu, backend, gpu: onnxGpu }),
    await createTfjsEngine(modules, { backend, adapter: tfGpu.description }),
  ];
}
