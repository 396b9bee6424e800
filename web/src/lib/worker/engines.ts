/**
 * @module
 * The worker's engines: the browser adapter's (`createBrowserEngines`), WebGPU where the worker
 * gets an adapter and WASM otherwise, or pinned to WASM after a WebGPU run failed (the worker
 * records that as a fallback on the frame and on every later embedding, `face.worker.ts`).
 */
import type { Engine } from "@facedrift/models";
import { createBrowserEngines } from "@facedrift/models/browser";
import { setWorkerEnvironment } from "./face-api-env.ts";

export type EngineChoice = "best" | "wasm";

export async function createWorkerEngines(choice: EngineChoice, tfjsWasmBase: string): Promise<Engine[]> {
  setWorkerEnvironment();
  return createBrowserEngines({ wasmPaths: tfjsWasmBase, ...(choice === "wasm" ? { backend: "wasm" } : {}) });
}
