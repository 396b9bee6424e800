/**
 * `npm run bench [-- <filter>]`: runs every benchmark suite (`*\/bench/*.bench.ts` in the
 * workspaces and `bench/*.bench.ts`), writes one JSON file per suite to bench/results/ and
 * regenerates the table between the markers in BENCHMARKS.md from all stored results.
 *
 * Suites are imported one at a time, so a suite's set-up (large seeded inputs) only lives while
 * it runs. Progress goes to stderr.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Comparison, type Measurement, measure } from "./harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = join(root, "bench", "results");
const SUITE_FOLDERS = [
  "bench",
  "stats/bench",
  "wasm-kernels/bench",
  "server/bench",
  "models/bench",
  "web/bench",
];

interface SuiteResult {
  suite: string;
  file: string;
  /** loadAverage: 1-minute load when the suite started; timings above ~1 per core are inflated. */
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; loadAverage: number };
  finishedAt: string;
  measurements: Measurement[];
}

function suiteFiles(): string[] {
  return SUITE_FOLDERS.flatMap((folder) => {
    try {
      return readdirSync(join(root, folder))
        .filter((f) => f.endsWith(".bench.ts"))
        .map((f) => join(root, folder, f));
    } catch {
      return [];
    }
  }).sort();
}

const suiteName = (file: string) =>
  relative(root, file)
    .replace(/\/bench\//, "/")
    .replace(/\.bench\.ts$/, "");

async function runSuite(file: string): Promise<SuiteResult> {
  const suite = suiteName(file);
  const loadAverage = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const module = (await import(pathToFileURL(file).href)) as {
    default: Comparison[] | (() => Promise<Comparison[]>);
  };
  const comparisons = typeof module.default === "function" ? await module.default() : module.default;
  const measurements: Measurement[] = [];
  for (const [i, comparison] of comparisons.entries()) {
    process.stderr.write(`[${suite} ${i + 1}/${comparisons.length}] ${comparison.title} … `);
    const m = await measure(comparison);
    measurements.push(m);
    const goal = m.goal ? (m.goal.met ? " goal met" : " GOAL MISSED") : "";
    const cpu = (r: Measurement["baseline"]) =>
      r.cpuSecondsPerUnit === undefined
        ? "?"
        : `${(r.cpuSecondsPerUnit * 1e6).toPrecision(3)}${r.externalCpuSecondsPerUnit === undefined ? "" : ` + ${(r.externalCpuSecondsPerUnit * 1e6).toPrecision(3)}`}`;
    process.stderr.write(
      `${m.speedup.toFixed(2)}× (${formatRate(m.candidate.unitsPerSecond, m.unit)}; CPU µs/${m.unit}: ` +
        `${cpu(m.baseline)} → ${cpu(m.candidate)})${goal}\n`,
    );
  }
  const cpu = cpus();
  return {
    suite,
    file: relative(root, file),
    machine: {
      cpu: cpu[0]?.model ?? "unknown",
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverage,
    },
    finishedAt: new Date().toISOString(),
    measurements,
  };
}

function formatRate(perSecond: number, unit: string): string {
  const [value, suffix] =
    perSecond >= 1e6 ? [perSecond / 1e6, "M"] : perSecond >= 1e3 ? [perSecond / 1e3, "k"] : [perSecond, ""];
  return `${value.toPrecision(3)}${suffix} ${unit}/s`;
}

const formatSeconds = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toPrecision(3)} ms`);

function renderTable(results: SuiteResult[]): string {
  const lines = [
    "| suite | what | baseline | candidate | speed-up | candidate time / rate | goal |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    for (const m of r.measurements) {
      const goal = m.goal ? `${m.goal.met ? "✅" : "❌"} ${m.goal.text}` : "";
      lines.push(
        `| ${r.suite} | ${m.title} | ${m.baseline.name} (${formatSeconds(m.baseline.medianSeconds)}) | ` +
          `${m.candidate.name} | **${m.speedup.toFixed(2)}×** | ${formatSeconds(m.candidate.medianSeconds)}, ` +
          `${formatRate(m.candidate.unitsPerSecond, m.unit)} | ${goal} |`,
      );
    }
  }
  const machines = [
    ...new Set(results.map((r) => `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}`)),
  ];
  const loads = results.map((r) => `${r.suite} ${r.machine.loadAverage ?? "?"}`).join(", ");
  lines.push(
    "",
    `Measured on: ${machines.join("; ")}. Load average when each suite started: ${loads}.`,
    "Results: `bench/results/*.json`.",
  );
  return lines.join("\n");
}

function updateBenchmarksMd(): void {
  const results = readdirSync(resultsDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), "utf8")) as SuiteResult)
    // Other harnesses (bench:abuse, the quality windows) keep their own JSON here too.
    .filter((r) => Array.isArray(r.measurements));
  const path = join(root, "BENCHMARKS.md");
  const text = readFileSync(path, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md lacks the ${start} … ${end} markers`);
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${renderTable(results)}\n${text.slice(to)}`);
  // The test command lints Markdown too; pad the regenerated table the way Biome formats it.
  execFileSync(join(root, "node_modules/.bin/biome"), ["format", "--write", path], { stdio: "ignore" });
}

const filter = process.argv[2];
mkdirSync(resultsDir, { recursive: true });
const files = suiteFiles().filter((f) => !filter || suiteName(f).includes(filter));
if (files.length === 0) throw new Error(`no benchmark suite matches "${filter}"`);
for (const file of files) {
  const result = await runSuite(file);
  writeFileSync(
    join(resultsDir, `${basename(result.suite.replace(/\//g, "."))}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
}
updateBenchmarksMd();
process.stderr.write(`updated BENCHMARKS.md from ${relative(root, resultsDir)}/\n`);
