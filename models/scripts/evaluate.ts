/**
 * Evaluates every wired embedder on LFW verification pairs, in Node on WASM.
 *
 *   npx tsx models/scripts/evaluate.ts [--pairs ../shared/data/faces/pairs.tsv]
 *     [--images ../shared/data/faces/images] [--limit 100] [--embedders a,b] [--out models/results/lfw-view1]
 *
 * One detector and landmarker pass per image feeds all embedders, so the embedders are compared
 * on identical alignments. The face nearest the image centre is the subject (LFW's convention).
 * Metrics are `verificationMetrics` of @facedrift/stats (AUC with ties ½, interpolated EER), via lfw-pairs.ts.
 * Writes `<out>.json` and `<out>.md` (run `npx biome format --write models/results` after); progress goes to stderr.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  CATALOG,
  createFacePipeline,
  loadDetector,
  loadEmbedder,
  loadLandmarker,
  selectCentral,
} from "../src/index.ts";
import { createNodeEngines, decodeImage, nodeFileSource } from "../src/node/index.ts";
import { balancedSubset, imagesOf, readPairs, scorePairs } from "./lfw-pairs.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values: args } = parseArgs({
  options: {
    pairs: { type: "string", default: resolve(here, "../../../shared/data/faces/pairs.tsv") },
    images: { type: "string", default: resolve(here, "../../../shared/data/faces/images") },
    limit: { type: "string" },
    embedders: {
      type: "string",
      default: "faceplugin-feature512,faceapi-recognition128,human-faceres1024,human-mobileface256",
    },
    out: { type: "string", default: resolve(here, "../results/lfw-view1") },
  },
});

/** Genuine pairs the LFW errata mark as wrong (data/faces/SOURCE.md); dropped in the "strict" numbers. */
const ERRATA = new Set(["Janica_Kostelic", "Elisabeth_Schumacher", "Flor_Montulo"]);

let pairs = await readPairs(args.pairs);
if (args.limit) pairs = balancedSubset(pairs, Number(args.limit));
const images = imagesOf(pairs);
const embedderIds = args.embedders.split(",").filter(Boolean);

const context = { engines: await createNodeEngines(), source: nodeFileSource() };
const entry = (id: string) => {
  const found = CATALOG[id];
  if (!found) throw new Error(`unknown model ${id}`);
  return found;
};
const pipeline = createFacePipeline({
  detector: await loadDetector(context, entry("faceplugin-detect")),
  landmarker: await loadLandmarker(context, entry("faceplugin-landmark68")),
  embedders: await Promise.all(embedderIds.map((id) => loadEmbedder(context, entry(id)))),
  select: selectCentral,
});
const backends = context.engines.map((e) => `${e.runtime}/${e.backend}`).join(", ");
process.stderr.write(`engines: ${backends}; ${images.length} images, ${pairs.length} pairs\n`);

const embeddings = new Map<string, Record<string, Float32Array>>();
/** Milliseconds per image for each stage; per-face stages only where the one selected face was found. */
const samples = new Map<string, number[]>();
const record = (stage: string, ms: number) => samples.set(stage, [...(samples.get(stage) ?? []), ms]);
let faces = 0;
const noFace: string[] = [];
const unreadable: string[] = [];
const started = performance.now();
for (const [i, name] of images.entries()) {
  const t = performance.now();
  // The unaligned 150px set lacks one file (data/faces/SOURCE.md); a missing image counts as no face.
  const image = await decodeImage(join(args.images, name)).catch(() => undefined);
  record("decode", performance.now() - t);
  if (!image) {
    unreadable.push(name);
    continue;
  }
  const { faces: found, timings } = await pipeline.process(image);
  record("detect", timings.detect);
  const face = found[0];
  if (face) {
    record("landmarks", timings.landmarks);
    record("quality", timings.quality);
    for (const id of embedderIds) {
      record(`align:${id}`, timings.align[id] ?? 0);
      record(`embed:${id}`, timings.embed[id] ?? 0);
    }
    faces++;
    embeddings.set(name, face.embeddings);
  } else noFace.push(name);
  if ((i + 1) % 25 === 0 || i + 1 === images.length) {
    const seconds = (performance.now() - started) / 1000;
    const eta = (seconds / (i + 1)) * (images.length - i - 1);
    process.stderr.write(
      `${i + 1}/${images.length} images, ${((i + 1) / seconds).toFixed(2)} img/s, ETA ${eta.toFixed(0)} s\n`,
    );
  }
}

/** Mean and median ms of a stage; the median resists the load spikes of a shared CI machine. */
const timing = (stage: string) => {
  const values = [...(samples.get(stage) ?? [])].sort((x, y) => x - y);
  const mean = values.reduce((sum, v) => sum + v, 0) / Math.max(values.length, 1);
  const mid = values.length / 2;
  const median =
    values.length % 2 ? (values[Math.floor(mid)] ?? 0) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
  return { mean: Number(mean.toFixed(2)), median: Number(median.toFixed(2)) };
};
const results = embedderIds.map((id) => {
  const strict = pairs.filter((p) => !(p.same && ERRATA.has(p.left.split("/")[0] ?? "")));
  return {
    embedder: id,
    dimension: entry(id).output.dimension,
    all: scorePairs(pairs, embeddings, id),
    strict: scorePairs(strict, embeddings, id),
    msPerFace: { align: timing(`align:${id}`), embed: timing(`embed:${id}`) },
  };
});

const report = {
  dataset: "LFW View 1 test pairs (pairsDevTest)",
  // Relative to the repository root, so the results do not name this machine's folders.
  pairsFile: relative(resolve(here, "../.."), args.pairs),
  imagesDir: relative(resolve(here, "../.."), args.images),
  engines: backends,
  runsOn: pipeline.runsOn,
  detector: "faceplugin-detect",
  landmarker: "faceplugin-landmark68",
  images: images.length,
  facesFound: faces,
  noFace,
  unreadable,
  timing: {
    unit: "ms (decode/detect per image; others per face)",
    decode: timing("decode"),
    detect: timing("detect"),
    landmarks: timing("landmarks"),
    quality: timing("quality"),
  },
  results,
  host: { node: process.version, platform: `${process.platform}-${process.arch}` },
};

const markdown = [
  `| embedder | dim | AUC (${pairs.length} pairs) | EER | TAR@FAR=1 % | AUC (strict, errata dropped) | EER (strict) | align ms/face (median) | embed ms/face (median / mean) |`,
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...results.map(
    (r) =>
      `| ${r.embedder} | ${r.dimension} | ${r.all.auc.toFixed(4)} | ${(100 * r.all.eer).toFixed(2)} % | ${(100 * r.all.tarAtFar["0.01"]).toFixed(1)} % | ${r.strict.auc.toFixed(4)} | ${(100 * r.strict.eer).toFixed(2)} % | ${r.msPerFace.align.median} | ${r.msPerFace.embed.median} / ${r.msPerFace.embed.mean} |`,
  ),
  "",
  `Shared stages (${backends}), median ms: decode ${report.timing.decode.median} /image, detect ${report.timing.detect.median} /image, ` +
    `landmarks ${report.timing.landmarks.median} /face, quality ${report.timing.quality.median} /face. ` +
    `Face found in ${faces}/${images.length} images${unreadable.length ? ` (${unreadable.length} unreadable)` : ""}.`,
  "",
].join("\n");

await mkdir(dirname(args.out), { recursive: true });
await writeFile(`${args.out}.json`, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(`${args.out}.md`, markdown);
process.stdout.write(markdown);
