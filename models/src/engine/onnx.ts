/**
 * @module
 * `Engine` over onnxruntime-web: the WebGPU execution provider where the host has WebGPU, the WASM
 * one otherwise (always in Node). The same package runs in the worker, in headless Chromium and in
 * Node, so embeddings do not depend on the host.
 */
import * as ort from "onnxruntime-web";
import type { TensorData } from "../pipeline/tensor.ts";
import type { ModelEntry } from "../registry/types.ts";
import type { VerifiedFiles } from "../registry/verify.ts";
import { type Backend, type Engine, hasWebGpu, type ModelSession } from "./types.ts";

/** Options for {@link createOnnxEngine}. */
export interface OnnxEngineOptions {
  /** Force a backend instead of probing for WebGPU. */
  readonly backend?: Backend;
  /** WASM threads; 1 keeps Node and CI deterministic and avoids worker spawning. */
  readonly threads?: number;
}

/** Creates the onnxruntime-web engine, choosing WebGPU when available. */
export async function createOnnxEngine(options: OnnxEngineOptions = {}): Promise<Engine> {
  const backend: Backend = options.backend ?? ((await hasWebGpu()) ? "webgpu" : "wasm");
  ort.env.wasm.numThreads = options.threads ?? 1;
  return {
    runtime: "onnxruntime-web",
    backend,
    supports: (format) => format === "onnx",
    load: (entry, files) => loadSession(entry, files, backend),
  };
}

async function loadSession(entry: ModelEntry, files: VerifiedFiles, backend: Backend): Promise<ModelSession> {
  const bytes = files.get(entry.files[0]?.path ?? "");
  if (!bytes) throw new RangeError(`${entry.id}: the entry file was not loaded`);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [backend] });
  const inputName = session.inputNames[0] ?? "input";
  const meta = session.inputMetadata[0];
  const inputDims =
    meta?.isTensor === true ? meta.shape.map((d: number | string) => (typeof d === "number" ? d : -1)) : null;
  return {
    entry,
    runsOn: `onnxruntime-web/${backend}`,
    inputDims,
    async run(input: TensorData) {
      const feeds = { [inputName]: new ort.Tensor("float32", input.data, input.dims) };
      const results = await session.run(feeds);
      const outputs = new Map<string, TensorData>();
      for (const [name, tensor] of Object.entries(results)) {
        // Copy out: the tensor may be released with the session (and on WebGPU lives on the GPU).
        outputs.set(name, { data: Float32Array.from(tensor.data as Float32Array), dims: tensor.dims });
        tensor.dispose();
      }
      return outputs;
    },
    dispose: () => session.release(),
  };
}
