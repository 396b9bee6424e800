/**
 * `npm run bench:quality [-- --extract-only | --report-only] [--minutes N]`: the detection-quality
 * benchmark. Extracts whatever embeddings are missing from the cache (.cache/quality/, resumable),
 * then runs the experiments on the cached pools and regenerates docs/detection-quality.md and its
 * charts. `--report-only` uses the cache as it is (missing shift sets are listed as not extracted).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CACHE_DIR } from "./cache.ts";
import { ALT_MODEL, altShifts, DEFAULT_MODEL, HELD_OUT_SHARE, SEED } from "./config.ts";
import { listImages, splitByIdentity } from "./dataset.ts";
import { type ModelResult, runExperiments } from "./experiments.ts";
import { type ExtractionJob, extract, loadBenchPipeline } from "./extract.ts";
import { CLEAN, IMAGE_SHIFTS, type Shift } from "./shifts.ts";

const { values: args } = parseArgs({
  options: {
    "extract-only": { type: "boolean", default: false },
    "report-only": { type: "boolean", default: false },
    "skip-alt": { type: "boolean", default: false },
    minutes: { type: "string" },
    reps: { type: "string", default: "1" },
  },
});

const images = listImages();
const split = splitByIdentity(images, SEED, HELD_OUT_SHARE);

if (!args["report-only"]) {
  const deadline = args.minutes ? Date.now() + Number(args.minutes) * 60_000 : Number.POSITIVE_INFINITY;
  process.stderr.write(
    `split: ${split.reference.length} reference images (${split.referencePeople} people), ` +
      `${split.heldOut.length} held-out (${split.heldOutPeople} people); seed ${SEED}\n`,
  );
  // One pipeline per model: loading both would embed every image with both.
  const jobsOf = (model: string, shifts: readonly Shift[]): ExtractionJob[] => [
    { shift: CLEAN, images, models: [model] },
    ...shifts.map((shift) => ({ shift, images: split.heldOut, models: [model] })),
  ];
  await extract(
    await loadBenchPipeline([DEFAULT_MODEL]),
    jobsOf(DEFAULT_MODEL, IMAGE_SHIFTS),
    SEED,
    deadline,
  );
  if (!args["skip-alt"]) {
    await extract(await loadBenchPipeline([ALT_MODEL]), jobsOf(ALT_MODEL, altShifts()), SEED, deadline);
  }
}

if (!args["extract-only"]) {
  // --reps scales every replicate count (0.2 for a quick look); the committed doc uses 1.
  const scale = Number(args.reps);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const results: ModelResult[] = [];
  for (const [model, shifts] of [
    [DEFAULT_MODEL, IMAGE_SHIFTS],
    [ALT_MODEL, altShifts()],
  ] as const) {
    const started = Date.now();
    try {
      results.push(
        await runExperiments({
          model,
          shifts,
          split,
          seed: SEED,
          nullReps: Math.round(400 * scale),
          shiftReps: Math.round(100 * scale),
          streamReps: Math.round(100 * scale),
          faStreams: Math.max(1, Math.round(10 * scale)),
          log,
        }),
      );
    } catch (error) {
      log(`${model}: ${(error as Error).message}`);
    }
    log(`${model}: experiments took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(
    join(CACHE_DIR, "results.json"),
    JSON.stringify(results, (_, v) => (v === Infinity ? "Infinity" : v)),
  );
}
