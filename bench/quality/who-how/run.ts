/**
 * `npm run bench:who-how [-- --extract-only | --report-only | --without-quality-only] [--part i/n]`: the who-vs-how
 * benchmark (docs/who-vs-how.md). Extracts what the cache lacks — every photo clean, and the
 * held-out sample under each of the 72 changes, with both the default 128-D and the 512-D
 * embedder — then runs the product's detectors on streams built from the cache and writes the
 * report. `--part i/n` extracts every n-th change from the i-th, so two processes can share the
 * work on two cores. `--changes id,id…` and `--models id,id…` extract only those (e.g. to fill
 * the cache for one section first: the whole extraction takes hours on two cores); with `--models`
 * the report rewrites only those embedders' sections and harm models and keeps the others';
 * `--replicates n` sets the replicate streams per case (default 6 for 128-D, 4 for 512-D).
 */
import { parseArgs } from "node:util";
import { SEED } from "../config.ts";
import { extract, loadBenchStages } from "../extract.ts";
import { BENCHMARK_SHIFTS } from "../shift-families.ts";
import { CLEAN } from "../shifts.ts";
import { WHO_HOW_MODELS } from "./models.ts";
import { benchmarkSample } from "./sample.ts";

const { values: args } = parseArgs({
  options: {
    "extract-only": { type: "boolean", default: false },
    "report-only": { type: "boolean", default: false },
    "without-quality-only": { type: "boolean", default: false },
    part: { type: "string", default: "0/1" },
    changes: { type: "string" },
    models: { type: "string" },
    replicates: { type: "string" },
  },
});

const sample = benchmarkSample();

if (!args["report-only"] && !args["without-quality-only"]) {
  const [part, parts] = (args.part as string).split("/").map(Number) as [number, number];
  const models = listed(args.models, WHO_HOW_MODELS, "--models");
  const changes = listed(
    args.changes,
    BENCHMARK_SHIFTS.map((s) => s.id),
    "--changes",
  );
  const stages = await loadBenchStages(models);
  const shifts = BENCHMARK_SHIFTS.filter((s, i) => i % parts === part && changes.includes(s.id));
  process.stderr.write(
    `who-how extraction part ${part}/${parts}: ${shifts.length} changes × ${sample.shifted.length} photos` +
      `${part === 0 ? ` + ${sample.images.length} clean` : ""}\n`,
  );
  await extract(
    stages,
    [
      ...(part === 0 ? [{ shift: CLEAN, images: sample.images, models }] : []),
      ...shifts.map((shift) => ({ shift, images: sample.shifted, models })),
    ],
    SEED,
  );
}

if (args["without-quality-only"]) {
  const { writeWithoutQualitySections } = await import("./report.ts");
  await writeWithoutQualitySections(sample, listed(args.models, WHO_HOW_MODELS, "--models"));
} else if (!args["extract-only"]) {
  const { writeWhoHowReport } = await import("./report.ts");
  const replicates = args.replicates === undefined ? undefined : Number(args.replicates);
  if (replicates !== undefined && !(Number.isInteger(replicates) && replicates >= 1)) {
    process.stderr.write(`--replicates: a whole number ≥ 1, got ${args.replicates}\n`);
    process.exit(2);
  }
  await writeWhoHowReport(sample, listed(args.models, WHO_HOW_MODELS, "--models"), replicates);
}

/** A comma-separated choice among `known` (all of them when absent); an unknown id stops the run. */
function listed(value: string | undefined, known: readonly string[], flag: string): readonly string[] {
  if (value === undefined) return known;
  const ids = value.split(",").filter(Boolean);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    process.stderr.write(`${flag}: unknown ${unknown.join(", ")} (known: ${known.join(", ")})\n`);
    process.exit(2);
  }
  return ids;
}
