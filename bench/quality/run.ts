/**
 * `npm run bench:quality [-- --extract-only | --report-only] [--minutes N]`: the detection-quality
 * benchmark. Extracts whatever embeddings are missing from the cache (.cache/quality/, resumable),
 * then runs the experiments on the cached pools and regenerates docs/detection-quality.md and its
 * charts. `--report-only` uses the cache as it is (missing shift sets are listed as not extracted).
 */
import { parseArgs } from "node:util";
import { ALT_MODEL, altShifts, DEFAULT_MODEL, HELD_OUT_SHARE, SEED } from "./config.ts";
import { listImages, splitByIdentity } from "./dataset.ts";
import { type ExtractionJob, extract, loadBenchPipeline } from "./extract.ts";
import { CLEAN, IMAGE_SHIFTS, type Shift } from "./shifts.ts";

const { values: args } = parseArgs({
  options: {
    "extract-only": { type: "boolean", default: false },
    "report-only": { type: "boolean", default: false },
    "skip-alt": { type: "boolean", default: false },
    minutes: { type: "string" },
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
