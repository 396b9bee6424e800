/**
 * @module
 * `Engine` over onnxruntime-web. The host passes the module, because the right build differs by
 * host and backend:
 *
 * - Node: `onnxruntime-web` (its Node build, WASM only);
 * - browser WASM: `onnxruntime-web/wasm` (the plain build, the same kernels as Node's);
 * - browser WebGPU: `onnxruntime-web/webgpu`, the native WebGPU execution provider. Not the
 *   default build's JSEP provider: JSEP copies `Slice`'s `ends` into int32, so faceplugin's
 *   detector (opset 9, three `Slice` nodes with `ends = INT64_MAX`) gets `[1,4420,1]` where
 *   `[1,4420,2]` is due and `Mul_164` fails ("Failed to run JSEP kernel"), on SwiftShader and
 *   lavapipe alike (1.30.0 and 1.31.1); with graph optimisation off it runs but boxes move by up
 *   to 0.2. The native provider matches WASM within 3e-6 on both models.
 */
import type * as Ort from "onnxruntime-web";
import type { TensorData } from "../pipeline/tensor.ts";
import type { ModelEntry } from "../registry/types.ts";
import type { VerifiedFiles } from "../registry/verify.ts";
import type { Backend, Engine, ModelSession } from "./types.ts";
import type { GpuDevice } from "./webgpu.ts";

/** The parts of an onnxruntime-web module used here (all its builds share these types). */
export type OrtModule = Pick<typeof Ort, "InferenceSession" | "Tensor" | "env">;

/** Options for {@link createOnnxEngine}. */
export type OnnxEngineOptions =
  | {
      readonly ort: OrtModule;
      readonly backend: "wasm";
      /** WASM threads; 1 keeps Node and CI deterministic and avoids worker spawning. */
      readonly threads?: number;
    }
  | {
      /** `onnxruntime-web/webgpu`. */
      readonly ort: OrtModule;
      readonly backend: "webgpu";
      /** The device the sessions run on (`requestGpuDevice`). */
      readonly gpu: GpuDevice;
    };

/** Creates the onnxruntime-web engine on the given module and backend. */
export async function createOnnxEngine(options: OnnxEngineOptions): Promise<Engine> {
  const { ort, backend } = options;
  ort.env.wasm.numThreads = options.backend === "wasm" ? (options.threads ?? 1) : 1;
  let provider: Ort.InferenceSession.ExecutionProviderConfig = "wasm";
  if (options.backend === "webgpu") {
    // onnxruntime-web initialises WebGPU from `env.webgpu.adapter`, or asks for a core adapter of its own,
    // which a compatibility-only host (ANGLE's OpenGL ES adapter) does not have.
    ort.env.webgpu.adapter = options.gpu.adapter as unknown as typeof ort.env.webgpu.adapter;
    provider = { name: "webgpu", device: options.gpu.device } as Ort.InferenceSession.ExecutionProviderConfig;
  }
  return {
    runtime: "onnxruntime-web",
    backend,
    ...(options.backend === "webgpu" ? { adapter: options.gpu.description } : {}),
    supports: (format) => format === "onnx",
    load: (entry, files) => loadSession(ort, entry, files, backend, provider),
  };
}

async function loadSession(
  ort: OrtModule,
  entry: ModelEntry,
  files: VerifiedFiles,
  backend: Backend,
  provider: Ort.InferenceSession.ExecutionProviderConfig,
): Promise<ModelSession> {
  const bytes = files.get(entry.files[0]?.path ?? "");
  if (!bytes) throw new RangeError(`${entry.id}: the entry file was not loaded`);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [provider] });
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
        const data = tensor.location === "cpu" ? tensor.data : await tensor.getData();
        outputs.set(name, { data: Float32Array.from(data as Float32Array), dims: tensor.dims });
        tensor.dispose();
      }
      return outputs;
    },
    dispose: () => session.release(),
  };
}
