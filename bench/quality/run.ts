/**
 * `npm run bench:quality [-- --extract-only | --report-only] [--minutes N] [--reps 0.1] [--only MODEL]`: the detection-quality
 * benchmark. Extracts whatever embeddings are missing from the cache (.cache/quality/, resumable),
 * then runs the experiments on the cached pools and regenerates docs/detection-quality.md and its
 * charts. `--report-only` uses the cache as it is (missing shift sets are listed as not extracted).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CACHE_DIR } from "./cache.ts";
import {
  ALT_MODEL,
  altShifts,
  DEFAULT_MODEL,
  HELD_OUT_SHARE,
  RECOMMENDED_STREAMING,
  SEED,
} from "./config.ts";
import { listImages, REPO_ROOT, splitByIdentity } from "./dataset.ts";
import { type ModelResult, runExperiments } from "./experiments.ts";
import { type ExtractionJob, extract, loadBenchPipeline } from "./extract.ts";
import { adwinTargetPer10k } from "./recommendation.ts";
import { renderCharts, renderReport } from "./report.ts";
import { CLEAN, IMAGE_SHIFTS, type Shift } from "./shifts.ts";
import { markedSection, replaceMarkedSection } from "./who-how/marked-section.ts";

const { values: args } = parseArgs({
  options: {
    "extract-only": { type: "boolean", default: false },
    "report-only": { type: "boolean", default: false },
    "skip-alt": { type: "boolean", default: false },
    minutes: { type: "string" },
    reps: { type: "string", default: "1" },
    only: { type: "string" },
  },
});

const DOC_FILE = join(REPO_ROOT, "docs", "detection-quality.md");
const CHARTS_DIR = join(REPO_ROOT, "docs", "detection-quality");

const images = listImages();
const split = splitByIdentity(images, SEED, HELD_OUT_SHARE);

if (!args["report-only"]) {
  const deadline = args.minutes ? Date.now() + Number(args.minutes) * 60_000 : Number.POSITIVE_INFINITY;
  process.stderr.write(
    `split: ${split.reference.length} reference images (${split.referencePeople} people), ` +
      `${split.heldOut.length} held-out (${split.heldOutPeople} people); seed ${SEED}\n`,
  );
  // One pipeline per model (loading both would embed every image with both). Order is priority,
  // so a run stopped by --minutes still covers every family: the default model's clean set and
  // strong shifts, then the 1024-D model, then the default model's mild shifts.
  const heldOutJobs = (model: string, shifts: readonly Shift[]): ExtractionJob[] =>
    shifts.map((shift) => ({ shift, images: split.heldOut, models: [model] }));
  const strong = IMAGE_SHIFTS.filter((s) => s.strength !== "mild");
  const mild = IMAGE_SHIFTS.filter((s) => s.strength === "mild");
  const main = await loadBenchPipeline([DEFAULT_MODEL]);
  await extract(
    main,
    [{ shift: CLEAN, images, models: [DEFAULT_MODEL] }, ...heldOutJobs(DEFAULT_MODEL, strong)],
    SEED,
    deadline,
  );
  if (!args["skip-alt"]) {
    const alt = await loadBenchPipeline([ALT_MODEL]);
    await extract(
      alt,
      [{ shift: CLEAN, images, models: [ALT_MODEL] }, ...heldOutJobs(ALT_MODEL, altShifts())],
      SEED,
      deadline,
    );
  }
  await extract(main, heldOutJobs(DEFAULT_MODEL, mild), SEED, deadline);
}

if (!args["extract-only"]) {
  // --reps scales every replicate count (0.1 for a quick look); the committed page uses 1.
  const scale = Number(args.reps);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const results: ModelResult[] = [];
  for (const [model, shifts] of [
    [DEFAULT_MODEL, IMAGE_SHIFTS],
    [ALT_MODEL, altShifts()],
  ] as const) {
    // --only MODEL recomputes that model and reuses the others' stored results (same code, same seeds).
    if (args.only && args.only !== model) {
      const stored = readStoredResult(model);
      if (stored) results.push(stored);
      continue;
    }
    const started = Date.now();
    try {
      const result = await runExperiments({
        model,
        shifts,
        split,
        seed: SEED,
        nullReps: Math.round(300 * scale),
        strictNullReps: Math.round(1000 * scale),
        shiftReps: Math.round(60 * scale),
        shippedReps: Math.round(40 * scale),
        shippedNullReps: Math.round(200 * scale),
        streamReps: Math.round(60 * scale),
        faStreams: Math.max(1, Math.round(10 * scale)),
        targetPer10k: adwinTargetPer10k(RECOMMENDED_STREAMING.length),
        log,
      });
      results.push(result);
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(
        resultFile(model),
        JSON.stringify(result, (_, v) => (v === Infinity ? "Infinity" : v)),
      );
    } catch (error) {
      log(`${model}: ${(error as Error).message}`);
    }
    log(`${model}: experiments took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  mkdirSync(CHARTS_DIR, { recursive: true });
  for (const [name, svg] of Object.entries(renderCharts(results[0] as ModelResult, RECOMMENDED_STREAMING))) {
    writeFileSync(join(CHARTS_DIR, name), svg);
  }
  const markdown = renderReport({
    results,
    recommended: RECOMMENDED_STREAMING,
    split: {
      reference: split.reference.length,
      heldOut: split.heldOut.length,
      referencePeople: split.referencePeople,
      heldOutPeople: split.heldOutPeople,
    },
    seed: SEED,
    heldOutShare: HELD_OUT_SHARE,
  });
  // bench:batch-test owns one section of this page; keep it.
  const batchTest = existsSync(DOC_FILE) ? markedSection(readFileSync(DOC_FILE, "utf8"), "batch-test") : "";
  writeFileSync(
    DOC_FILE,
    batchTest
      ? replaceMarkedSection(markdown, "batch-test", batchTest.split("\n").slice(1, -1).join("\n"))
      : markdown,
  );
  // Biome owns Markdown formatting in this repository (tables aligned), so the page is formatted as committed.
  execFileSync("npx", ["biome", "format", "--write", DOC_FILE], { stdio: "ignore" });
  log(`wrote ${DOC_FILE} and ${CHARTS_DIR}`);
}

function resultFile(model: string): string {
  return join(CACHE_DIR, `results-${model}.json`);
}

function readStoredResult(model: string): ModelResult | undefined {
  if (!existsSync(resultFile(model))) return undefined;
  return JSON.parse(readFileSync(resultFile(model), "utf8"), (_, v) => (v === "Infinity" ? Infinity : v));
}
