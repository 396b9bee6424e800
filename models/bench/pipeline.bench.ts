/**
 * Faces per second through the whole face pipeline (decode excluded: detect → landmarks → align →
 * embed → L2-normalise + quality) in Node, on WASM, which is the only backend Node has here
 * (tfjs-node does not install; WebGPU is a browser's). Both pipelines share the ONNX detector and
 * landmarker; they differ in the engine of the embedder: faceplugin's 512-D ONNX model on
 * onnxruntime-web against the default, face-api's 128-D model on TensorFlow.js. The browser
 * worker's figures are in `server/bench/replica.bench.ts`, which drives headless Chromium.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Comparison } from "../../bench/harness.ts";
import { CATALOG, type FacePipeline, loadPipeline, type RgbaImage, selectCentral } from "../src/index.ts";
import { createNodeEngines, decodeImage, nodeFileSource } from "../src/node/index.ts";

const FACES = join(import.meta.dirname, "..", "..", "..", "shared", "data", "faces", "images");
const IMAGES = 8;

async function lfwImages(count: number): Promise<RgbaImage[]> {
  const people = readdirSync(FACES).slice(0, count);
  return Promise.all(
    people.map((person) => {
      const file = readdirSync(join(FACES, person))[0] as string;
      return decodeImage(join(FACES, person, file));
    }),
  );
}

async function pipelineWith(embedderId: string): Promise<FacePipeline> {
  const embedder = CATALOG[embedderId];
  if (!embedder) throw new Error(`${embedderId} is not in the catalogue`);
  const context = { engines: await createNodeEngines(), source: nodeFileSource() };
  return loadPipeline(context, { embedders: [embedder], select: selectCentral });
}

async function runAll(pipeline: FacePipeline, images: RgbaImage[]): Promise<void> {
  for (const image of images) {
    const { faces } = await pipeline.process(image);
    if (faces.length !== 1) throw new Error(`expected one face per LFW image, got ${faces.length}`);
  }
}

export default async function suite(): Promise<Comparison[]> {
  const images = await lfwImages(IMAGES);
  const onnx = await pipelineWith("faceplugin-feature512");
  const tfjs = await pipelineWith("faceapi-recognition128");
  return [
    {
      id: "models.pipeline.node-wasm",
      title: `Face pipeline in Node (WASM), ${IMAGES} LFW faces: TF.js embedder (default, 128-D) vs ONNX (512-D)`,
      work: IMAGES,
      unit: "faces",
      repeats: 3,
      baseline: { name: "onnxruntime-web/wasm embedder", run: () => runAll(onnx, images) },
      candidate: { name: "tfjs/wasm embedder (default)", run: () => runAll(tfjs, images) },
    },
  ];
}
