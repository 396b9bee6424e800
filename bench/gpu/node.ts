/**
 * The GPU machine's bench (issue 15 item 4): the face pipeline in plain Node on Dawn's WebGPU
 * (`dawn.node` from the `webgpu` npm package), for hosts with no Chromium, no Node install and no
 * network. `bench/gpu/bundle.ts` bundles this file with esbuild and carries everything it reads in
 * one data folder (`--data`): `dawn.node`, the onnxruntime-web wasm binaries (tfjs's lie beside the
 * bundled script, where its loader looks), the registry's model
 * files (`models/<package>/<path>`) and LFW photos decoded to RGBA at bundle time (sharp does not
 * travel; decoding is not what a GPU speeds up).
 *
 * Stages: detector and landmarker on `onnxruntime-web/webgpu` (its native WebGPU provider, the
 * same as the replica page's; why not JSEP: `models/src/engine/onnx.ts`); the embedder on
 * tfjs-backend-webgpu where it starts on Dawn, else on tfjs WASM, said in the output (`runsOn`).
 * WASM runs beside it as the baseline and the reference: each run's faces must be within cosine
 * 0.9999 of the first run's, so a fast wrong run fails.
 *
 * `node bench.mjs --data DIR [--photos N] [--batches 1,8,32,64] [--adapters wasm,webgpu]
 * [--dawn backend=opengles] [--out FILE]`
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import type * as Tf from "@tensorflow/tfjs";
import { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import type * as FaceApi from "@vladmandic/face-api";
import * as faceapiNode from "@vladmandic/face-api/dist/face-api.node-wasm.js";
import * as ortWasm from "onnxruntime-web/wasm";
import * as ortGpu from "onnxruntime-web/webgpu";
import { createOnnxEngine, type OrtModule } from "../../models/src/engine/onnx.ts";
import { createTfjsEngine } from "../../models/src/engine/tfjs.ts";
import type { Engine } from "../../models/src/engine/types.ts";
import { requestGpuDevice } from "../../models/src/engine/webgpu.ts";
import { loadPipeline } from "../../models/src/load.ts";
import type { RgbaImage } from "../../models/src/pipeline/image.ts";
import type { Face } from "../../models/src/pipeline/pipeline.ts";
import { cosineSimilarity } from "../../models/src/pipeline/tensor.ts";
import type { FileSource } from "../../models/src/registry/verify.ts";

/** One entry of `photos/index.json` in the data folder. */
export interface PhotoEntry {
  name: string;
  width: number;
  height: number;
  /** Raw RGBA bytes, relative to `photos/`. */
  file: string;
}

type Adapter = "wasm" | "webgpu";

interface Row {
  adapter: Adapter;
  device: string;
  runsOn: Record<string, string>;
  batch: number;
  photos: number;
  faces: number;
  seconds: number;
  photosPerSecond: number;
  perPhotoMs: { detect: number; landmarks: number; quality: number; align: number; embed: number };
  minCosine: number;
}

const argument = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

const dataArgument = argument("data");
const data = dataArgument && resolve(dataArgument);
if (!data) throw new Error("--data DIR: the bundle's data folder is required");
const photoCount = Number(argument("photos") ?? 64);
const batches = (argument("batches") ?? "1,8,32,64").split(",").map(Number);
const adapters = (argument("adapters") ?? "wasm,webgpu").split(",") as Adapter[];
const dawnFlags = argument("dawn")?.split(",").filter(Boolean);
const log = (line: string) => console.log(line);

const fileSource: FileSource = async (packageName, path) => {
  if (packageName === null) throw new Error(`${path}: the bundle carries registry models only`);
  return new Uint8Array(readFileSync(join(data, "models", packageName, path)));
};

function photos(): RgbaImage[] {
  const index = JSON.parse(
    readFileSync(join(data as string, "photos", "index.json"), "utf8"),
  ) as PhotoEntry[];
  if (index.length < photoCount)
    throw new Error(`--photos ${photoCount}: the bundle carries ${index.length}`);
  return index.slice(0, photoCount).map((entry) => ({
    data: new Uint8ClampedArray(readFileSync(join(data as string, "photos", entry.file))),
    width: entry.width,
    height: entry.height,
  }));
}

/**
 * Dawn's `navigator.gpu`. Its default backend first (Vulkan on a GPU machine); where that finds no
 * adapter, OpenGL ES through EGL (llvmpipe on a CPU host: Dawn's Vulkan refuses lavapipe).
 * `writeBuffer` copies views of a SharedArrayBuffer, which dawn.node refuses ("Invalid argument")
 * and onnxruntime-web's threaded build hands it.
 */
async function installDawn(): Promise<string> {
  const require = createRequire(import.meta.url);
  const dawn = require(join(data as string, "dawn.node")) as {
    create(flags: string[]): { requestAdapter(options?: object): Promise<unknown> };
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, dawn.globals);
  const queue = (dawn.globals.GPUQueue as { prototype: { writeBuffer: (...args: unknown[]) => void } })
    .prototype;
  const writeBuffer = queue.writeBuffer;
  queue.writeBuffer = function (buffer, offset, view, ...rest) {
    const shared = ArrayBuffer.isView(view) && view.buffer instanceof SharedArrayBuffer;
    const copy = shared ? new (view.constructor as new (v: ArrayBufferView) => ArrayBufferView)(view) : view;
    return writeBuffer.call(this, buffer, offset, copy, ...rest);
  };
  for (const flags of dawnFlags ? [dawnFlags] : [[], ["backend=opengles"]]) {
    const gpu = dawn.create(flags);
    const adapter =
      (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: "compatibility" }));
    if (adapter) {
      Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
      return flags.join(",") || "default";
    }
  }
  throw new Error("Dawn found no WebGPU adapter (with libEGL/libvulkan on the loader path?)");
}

// face-api's node-wasm build shares `@tensorflow/tfjs` (as `models/src/node/engines.ts` does): one tf instance.
const faceapi = ((faceapiNode as { default?: unknown }).default ?? faceapiNode) as typeof FaceApi;
const tf = faceapi.tf as unknown as typeof Tf;
const modules = { tf, faceapi };

async function engines(adapter: Adapter): Promise<{ engines: Engine[]; device: string }> {
  if (adapter === "wasm") {
    return {
      engines: [
        await createOnnxEngine({ ort: ortWasm as unknown as OrtModule, backend: "wasm" }),
        await createTfjsEngine(modules, { backend: "wasm" }),
      ],
      device: "wasm",
    };
  }
  const onnxGpu = await requestGpuDevice();
  const onnx = await createOnnxEngine({
    ort: ortGpu as unknown as OrtModule,
    backend: "webgpu",
    gpu: onnxGpu,
  });
  let embedder: Engine;
  try {
    const tfGpu = await requestGpuDevice();
    if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
    tf.registerBackend(
      "webgpu",
      () =>
        new WebGPUBackend(tfGpu.device as never, tfGpu.adapter.info as never) as unknown as Tf.KernelBackend,
      3,
    );
    embedder = await createTfjsEngine(modules, { backend: "webgpu", adapter: tfGpu.description });
  } catch (error) {
    log(`tfjs-backend-webgpu did not start on Dawn (${String(error)}); the embedder falls back to tfjs WASM`);
    embedder = await createTfjsEngine(modules, { backend: "wasm" });
  }
  return { engines: [onnx, embedder], device: onnxGpu.description };
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

async function main() {
  const dawn = adapters.includes("webgpu") ? await installDawn() : "unused";
  const ortWasmBinary = readFileSync(join(data as string, "ort-wasm-simd-threaded.wasm"));
  const ortGpuBinary = readFileSync(join(data as string, "ort-wasm-simd-threaded.asyncify.wasm"));
  ortWasm.env.wasm.wasmBinary = ortWasmBinary;
  ortGpu.env.wasm.wasmBinary = ortGpuBinary;
  // tfjs's wasm files lie beside bench.mjs: its Node loader reads them from `__dirname`.
  const images = photos();
  const rows: Row[] = [];
  let reference: Face[][] | undefined;
  for (const adapter of adapters) {
    const { engines: built, device } = await engines(adapter);
    const pipeline = await loadPipeline({ engines: built, source: fileSource }, { batched: true });
    log(`${adapter}: ${device}; dawn ${dawn}; runs on ${JSON.stringify(pipeline.runsOn)}`);
    await pipeline.processBatch(images.slice(0, Math.min(2, images.length)), 2); // warm-up: shaders, sessions
    for (const batch of batches) {
      const started = performance.now();
      const { faces, timings } = await pipeline.processBatch(images, batch);
      const seconds = (performance.now() - started) / 1000;
      reference ??= faces;
      let minCosine = 1;
      let count = 0;
      faces.forEach((photoFaces, i) => {
        const others = reference?.[i] ?? [];
        if (photoFaces.length !== others.length)
          throw new Error(`${adapter} batch ${batch}: photo ${i} face count`);
        photoFaces.forEach((face, j) => {
          count++;
          for (const [id, embedding] of Object.entries(face.embeddings)) {
            const other = others[j]?.embeddings[id];
            if (other) minCosine = Math.min(minCosine, cosineSimilarity(embedding, other));
          }
        });
      });
      const per = (ms: number) => Math.round((ms / images.length) * 10) / 10;
      const row: Row = {
        adapter,
        device,
        runsOn: { ...pipeline.runsOn },
        batch,
        photos: images.length,
        faces: count,
        seconds,
        photosPerSecond: images.length / seconds,
        perPhotoMs: {
          detect: per(timings.detect),
          landmarks: per(timings.landmarks),
          quality: per(timings.quality),
          align: per(sum(timings.align)),
          embed: per(sum(timings.embed)),
        },
        minCosine,
      };
      rows.push(row);
      log(
        `${adapter} batch ${batch}: ${row.photosPerSecond.toFixed(2)} photos/s, per photo ms ${JSON.stringify(row.perPhotoMs)}, min cosine ${minCosine.toFixed(7)}`,
      );
      if (minCosine < 0.9999)
        throw new Error(`${adapter} batch ${batch}: cosine ${minCosine} against the first run`);
    }
  }
  log(
    "| adapter | device | batch | photos | photos/s | detect | landmarks | quality | align | embed | min cosine |",
  );
  log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    const p = r.perPhotoMs;
    log(
      `| ${r.adapter} | ${r.device} | ${r.batch} | ${r.photos} | ${r.photosPerSecond.toFixed(2)} | ${p.detect} | ${p.landmarks} | ${p.quality} | ${p.align} | ${p.embed} | ${r.minCosine.toFixed(7)} |`,
    );
  }
  const out = argument("out");
  if (out)
    writeFileSync(out, `${JSON.stringify({ cpus: cpus().length, loadavg: loadavg(), rows }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
