/**
 * @module
 * The engines for a browser page, a web worker or headless Chromium: WebGPU where an adapter is
 * available, WASM otherwise, for both runtimes. face-api's `esm-nobundle` build shares the page's
 * `@tensorflow/tfjs` instead of bundling its own copy, so one backend registry serves both.
 * Not exercised by this package's tests (they run in Node); the worker's end-to-end test covers it.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import * as faceapi from "@vladmandic/face-api/dist/face-api.esm-nobundle.js";
import { createOnnxEngine } from "../engine/onnx.ts";
import { createTfjsEngine } from "../engine/tfjs.ts";
import type { Backend, Engine } from "../engine/types.ts";

/** Options for {@link createBrowserEngines}. */
export interface BrowserEngineOptions {
  /** Where tfjs-backend-wasm finds its `.wasm` files. */
  readonly wasmPaths?: string;
  /**
   * Pin both engines to one backend. A WebGPU adapter can exist and still fail a kernel (Chromium's
   * SwiftShader), so a host that catches that retries with `"wasm"`.
   */
  readonly backend?: Backend;
}

/** Both engines, each on the best backend this host offers (or the pinned one); `engine.backend` says which. */
export async function createBrowserEngines(options: BrowserEngineOptions = {}): Promise<Engine[]> {
  if (options.wasmPaths) {
    const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(options.wasmPaths);
  }
  const pinned = options.backend ? { backend: options.backend } : {};
  return [
    await createOnnxEngine(pinned),
    await createTfjsEngine(
      { tf, faceapi: faceapi as unknown as typeof import("@vladmandic/face-api") },
      pinned,
    ),
  ];
}
