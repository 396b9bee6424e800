/**
 * @module
 * The worker's engines. First choice is the browser adapter's (`createBrowserEngines`: WebGPU where
 * the worker gets an adapter, WASM otherwise). A WebGPU adapter can exist and still fail a kernel:
 * Chromium's SwiftShader adapter fails onnxruntime-web's `Mul` in faceplugin's detector. Then the
 * worker asks for the same two engines pinned to WASM, which the adapter has no option for.
 */
import { createOnnxEngine, createTfjsEngine, type Engine } from "@facedrift/models";
import { createBrowserEngines } from "@facedrift/models/browser";
import * as tf from "@tensorflow/tfjs";
import type * as FaceApi from "@vladmandic/face-api";
import * as faceapi from "@vladmandic/face-api/dist/face-api.esm-nobundle.js";
import { setWorkerEnvironment } from "./face-api-env.ts";

export type EngineChoice = "best" | "wasm";

export async function createWorkerEngines(choice: EngineChoice, tfjsWasmBase: string): Promise<Engine[]> {
  setWorkerEnvironment();
  if (choice === "best") return createBrowserEngines({ wasmPaths: tfjsWasmBase });
  // The same modules the adapter uses (one bundle, one tfjs backend registry); the tfjs WASM paths
  // were set by the first, adapter-made attempt.
  return [
    await createOnnxEngine({ backend: "wasm" }),
    await createTfjsEngine({ tf, faceapi: faceapi as unknown as typeof FaceApi }, { backend: "wasm" }),
  ];
}
