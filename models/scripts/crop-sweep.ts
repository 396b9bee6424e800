/**
 * Chooses how an embedder's crop frames the face: runs the embedder with several templates
 * (`arcface@zoom` or `dlib@zoom`; `zoom < 1` = more margin) on the first LFW pairs and prints
 * AUC/EER. The chosen template goes into the registry entry.
 *
 *   npx tsx models/scripts/crop-sweep.ts --embedder faceapi-recognition128 --variants arcface@1,dlib@1 --limit 200
 */
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { verificationMetrics } from "@facedrift/stats";
import {
  ARCFACE_112,
  CATALOG,
  cosineSimilarity,
  createFacePipeline,
  DLIB_150,
  loadDetector,
  loadEmbedder,
  loadLandmarker,
  placeTemplate,
  selectCentral,
} from "../src/index.ts";
import { createNodeEngines, decodeImage, nodeFileSource } from "../src/node/index.ts";

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
const all = (await readFile(join(args.data, "pairs.tsv"), "utf8")).trim().split("\n").slice(1);
const pairs = all
  .map((line) => line.split("\t"))
  .map(([left = "", right = "", same = ""]) => ({ left, right, same: same.trim() === "1" }));
const half = Number(args.limit) / 2;
const subset = [
  ...pairs.filter((p) => p.same).slice(0, half),
  ...pairs.filter((p) => !p.same).slice(0, half),
];

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
const names = [...new Set(subset.flatMap((p) => [p.left, p.right]))];
for (const [i, name] of names.entries()) {
  const { faces } = await pipeline.process(await decodeImage(join(args.data, "images", name)));
  if (faces[0]) embeddings.set(name, faces[0].embeddings);
  if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1}/${names.length}\n`);
}
for (const variant of variants) {
  const scores = subset.map((p) => {
    const a = embeddings.get(p.left)?.[variant.id];
    const b = embeddings.get(p.right)?.[variant.id];
    return a && b ? cosineSimilarity(a, b) : -1;
  });
  const metrics = verificationMetrics(
    scores,
    subset.map((p) => (p.same ? 1 : 0)),
  );
  const auc = metrics.auc.toFixed(4);
  const eer = (100 * metrics.eer).toFixed(2);
  process.stdout.write(`${variant.id}: AUC ${auc}, EER ${eer} % on ${subset.length} pairs\n`);
}
