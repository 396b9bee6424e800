/**
 * Chooses how an embedder's crop frames the face: runs the embedder with several templates
 * (`arcface@zoom` or `dlib@zoom`; `zoom < 1` = more margin) on the first LFW pairs and prints
 * AUC/EER. The chosen template goes into the registry entry.
 *
 *   npx tsx models/scripts/crop-sweep.ts --embedder faceapi-recognition128 --variants arcface@1,dlib@1 --limit 200
 */
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  ARCFACE_112,
  CATALOG,
  createFacePipeline,
  DLIB_150,
  loadDetector,
  loadEmbedder,
  loadLandmarker,
  placeTemplate,
  selectCentral,
} from "../src/index.ts";
import { createNodeEngines, decodeImage, nodeFileSource } from "../src/node/index.ts";
import { balancedSubset, imagesOf, readPairs, scorePairs } from "./lfw-pairs.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values: args } = parseArgs({
  options: {
    embedder: { type: "string", default: "faceapi-recognition128" },
    variants: { type: "string", default: "arcface@1,arcface@0.8,dlib@1" },
    limit: { type: "string", default: "200" },
    data: { type: "string", default: resolve(here, "../../../shared/data/faces") },
  },
});

const base = CATALOG[args.embedder];
if (!base) throw new Error(`unknown embedder ${args.embedder}`);
const subset = balancedSubset(await readPairs(join(args.data, "pairs.tsv")), Number(args.limit));

const context = { engines: await createNodeEngines(), source: nodeFileSource() };
const TEMPLATES = { arcface: [ARCFACE_112, 112], dlib: [DLIB_150, 150] } as const;
const variants = args.variants.split(",").map((spec) => {
  const [name = "", zoom = "1"] = spec.split("@");
  const [template, size] = TEMPLATES[name as keyof typeof TEMPLATES];
  return {
    ...base,
    id: `${base.id}:${spec}`,
    template: placeTemplate(template, size, base.input.width, Number(zoom)),
  };
});
const pipeline = createFacePipeline({
  detector: await loadDetector(context, CATALOG["faceplugin-detect"] ?? base),
  landmarker: await loadLandmarker(context, CATALOG["faceplugin-landmark68"] ?? base),
  embedders: await Promise.all(variants.map((v) => loadEmbedder(context, v))),
  select: selectCentral,
});

const embeddings = new Map<string, Record<string, Float32Array>>();
const names = imagesOf(subset);
for (const [i, name] of names.entries()) {
  const { faces } = await pipeline.process(await decodeImage(join(args.data, "images", name)));
  if (faces[0]) embeddings.set(name, faces[0].embeddings);
  if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1}/${names.length}\n`);
}
for (const variant of variants) {
  const metrics = scorePairs(subset, embeddings, variant.id);
  const auc = metrics.auc.toFixed(4);
  const eer = (100 * metrics.eer).toFixed(2);
  process.stdout.write(`${variant.id}: AUC ${auc}, EER ${eer} % on ${subset.length} pairs\n`);
}
