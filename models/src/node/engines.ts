/**
 * @module
 * The engines for Node: onnxruntime-web and TensorFlow.js, both on WASM (tfjs-node does not install
 * here, and WASM keeps Node's numbers identical to the browser's WASM fallback). face-api's
 * `node-wasm` bundle is the one that uses the shared `@tensorflow/tfjs` instead of tfjs-node.
 */
import { createRequire } from "node:module";
import type * as Tf from "@tensorflow/tfjs";
import type * as FaceApi from "@vladmandic/face-api";
import * as ort from "onnxruntime-web";
import { createOnnxEngine } from "../engine/onnx.ts";
import { createTfjsEngine } from "../engine/tfjs.ts";
import type { Engine } from "../engine/types.ts";

const require = createRequire(import.meta.url);

/** Both engines on WASM with `threads` WASM threads for onnxruntime (default 1). */
export async function createNodeEngines(options: { threads?: number } = {}): Promise<Engine[]> {
  const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js") as typeof FaceApi;
  // Take tf from face-api so both share one tfjs instance (and one backend registry).
  const tf = faceapi.tf as unknown as typeof Tf;
  return [
    await createOnnxEngine({ ort, backend: "wasm", threads: options.threads ?? 1 }),
    await createTfjsEngine({ tf, faceapi }, { backend: "wasm" }),
  ];
}
