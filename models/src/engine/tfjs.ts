/**
 * @module
 * `Engine` over TensorFlow.js, on the backend the host chooses (WebGPU or WASM). It runs two
 * formats: tfjs graph models (human-models) and face-api weight manifests, whose network code comes from the face-api module the host passes in (face-api ships
 * different bundles for Node and the browser, so the choice belongs to the host adapter).
 */
import type * as Tf from "@tensorflow/tfjs";
import type * as FaceApi from "@vladmandic/face-api";
import type { ModelEntry } from "../registry/types.ts";
import type { VerifiedFiles } from "../registry/verify.ts";
import type { Backend, Engine, ModelSession } from "./types.ts";

/** The runtime modules, supplied by the host adapter. */
export interface TfjsModules {
  readonly tf: typeof Tf;
  readonly faceapi?: typeof FaceApi;
}

/**
 * Creates the TensorFlow.js engine on `backend`. A backend that does not start throws: the host
 * asked for it, and a quiet switch to another would store embeddings under the wrong engine. For
 * WebGPU the host registers the `webgpu` backend on its own device first (`models/src/browser/`).
 */
export async function createTfjsEngine(
  modules: TfjsModules,
  options: { backend: Backend; adapter?: string },
): Promise<Engine> {
  const { tf } = modules;
  const { backend } = options;
  if (!tf.findBackendFactory(backend)) throw new Error(`tfjs: no ${backend} backend is registered`);
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: the ${backend} backend failed to start`);
  await tf.ready();
  return {
    runtime: "tfjs",
    backend,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    supports: (format) =>
      format === "tfjs-graph" || (format === "faceapi-weights" && modules.faceapi !== undefined),
    load: (entry, files) =>
      entry.format === "tfjs-graph"
        ? loadGraph(tf, entry, files, `tfjs/${backend}`)
        : loadFaceApi(modules, entry, files, `tfjs/${backend}`),
  };
}

interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: Tf.io.WeightsManifestEntry[];
}

/** Concatenates a manifest's weight shards, found among the verified files by their file name. */
function gatherWeights(entry: ModelEntry, files: VerifiedFiles, groups: readonly WeightGroup[]) {
  const specs = groups.flatMap((group) => group.weights);
  const shards = groups
    .flatMap((group) => group.paths)
    .map((name) => {
      const file = entry.files.find((f) => f.path.endsWith(`/${name}`) || f.path === name);
      const bytes = file && files.get(file.path);
      if (!bytes) throw new RangeError(`${entry.id}: weight shard ${name} is not in the registry entry`);
      return bytes;
    });
  const data = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const shard of shards) {
    data.set(shard, offset);
    offset += shard.length;
  }
  return { specs, data: data.buffer };
}

function readJson(entry: ModelEntry, files: VerifiedFiles): unknown {
  const bytes = files.get(entry.files[0]?.path ?? "");
  if (!bytes) throw new RangeError(`${entry.id}: the entry file was not loaded`);
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function loadGraph(
  tf: typeof Tf,
  entry: ModelEntry,
  files: VerifiedFiles,
  runsOn: string,
): Promise<ModelSession> {
  const json = readJson(entry, files) as { modelTopology: object; weightsManifest: WeightGroup[] };
  const { specs, data } = gatherWeights(entry, files, json.weightsManifest);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: data }),
  );
  const shape = model.inputs[0]?.shape;
  return {
    entry,
    runsOn,
    inputDims: shape ? shape.map((d) => d ?? -1) : null,
    async run(input) {
      // Only the entry's output is fetched: graph models may expose several heads (faceres also
      // predicts age and gender) and the descriptor is not always among the default outputs.
      const x = tf.tensor(input.data, [...input.dims]);
      const y = model.execute(x, entry.output.name) as Tf.Tensor;
      const outputs = new Map([
        [entry.output.name, { data: (await y.data()) as Float32Array, dims: y.shape }],
      ]);
      tf.dispose([x, y]);
      return outputs;
    },
    dispose: async () => model.dispose(),
  };
}

type FaceApiNet = {
  loadFromWeightMap(map: Tf.NamedTensorMap): void;
  forward(x: Tf.Tensor4D | Tf.Tensor3D[]): Promise<Tf.Tensor>;
};

async function loadFaceApi(
  modules: TfjsModules,
  entry: ModelEntry,
  files: VerifiedFiles,
  runsOn: string,
): Promise<ModelSession> {
  const { tf, faceapi } = modules;
  if (!faceapi || !entry.faceApiNet)
    throw new RangeError(`${entry.id}: needs the face-api module and a net name`);
  const groups = readJson(entry, files) as WeightGroup[];
  const { specs, data } = gatherWeights(entry, files, groups);
  const net = new faceapi[entry.faceApiNet]() as unknown as FaceApiNet;
  net.loadFromWeightMap(tf.io.decodeWeights(data, specs));
  return {
    entry,
    runsOn,
    inputDims: [-1, entry.input.height, entry.input.width, 3],
    async run(input) {
      const x = tf.tensor4d(input.data, [...input.dims] as [number, number, number, number]);
      // face-api takes a batch as an array of images (a 4-D tensor must hold one) and returns [B, 128].
      const images = x.shape[0] === 1 ? x : tf.unstack(x);
      const y = await net.forward(images as Tf.Tensor4D | Tf.Tensor3D[]);
      if (Array.isArray(images)) tf.dispose(images);
      const outputs = new Map([
        [entry.output.name, { data: (await y.data()) as Float32Array, dims: y.shape }],
      ]);
      tf.dispose([x, y]);
      return outputs;
    },
    dispose: async () => (net as unknown as { dispose(): void }).dispose(),
  };
}
