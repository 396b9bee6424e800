/**
 * @module
 * Writes a load run to `bench/results/server.load.json` and regenerates the table between the
 * `<!-- load:start -->` and `<!-- load:end -->` markers in BENCHMARKS.md from that file. The JSON
 * keeps the fields `bench/run.ts` reads from every result file (`suite`, `machine`, an empty
 * `measurements`), so its table lists this run's machine and load without a ratio row.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import type { TargetResult } from "./measure.ts";

const root = join(import.meta.dirname, "..", "..", "..");
export const RESULTS_FILE = join(root, "bench", "results", "server.load.json");
const BENCHMARKS = join(root, "BENCHMARKS.md");
const START = "<!-- load:start -->";
const END = "<!-- load:end -->";

export interface LoadResults {
  suite: "server/load";
  file: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; loadAverage: number };
  finishedAt: string;
  measurements: [];
  load: { targets: TargetResult[] };
}

export function loadResults(targets: TargetResult[], loadAtStart: number): LoadResults {
  const cpu = cpus();
  return {
    suite: "server/load",
    file: "server/bench/load/run.ts",
    machine: {
      cpu: cpu[0]?.model ?? "unknown",
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: Math.round(loadAtStart * 100) / 100,
    },
    finishedAt: new Date().toISOString(),
    measurements: [],
    load: { targets },
  };
}

const ms = (x: number) => `${x} ms`;
const count = (x: number) => Math.round(x).toLocaleString("en");

export function renderLoadTable(results: LoadResults): string {
  const lines = [
    "| target | connections × items × dim | requests/s | embeddings/s | p50 | p90 | p99 | max | non-2xx / errors / timeouts | exactly once | load avg (start / mean / end) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const t of results.load.targets) {
    const non2xx = Object.values(t.requests.non2xx).reduce((a, b) => a + b, 0);
    const statuses = Object.entries(t.requests.non2xx)
      .map(([status, n]) => `${n}× ${status}`)
      .join(", ");
    const v = t.verification;
    const once = v.ok
      ? `✅ ${count(v.rows)} rows = ${count(v.distinctIds)} ids = ${count(v.acceptedTotal)} acknowledged + ${count(v.unacknowledgedStored * t.batch)} unanswered-but-stored; 0 duplicates`
      : `❌ ${v.problems.length} problems (first: ${v.problems[0]})`;
    lines.push(
      `| ${t.target} | ${t.connections} × ${t.batch} × ${t.dim} | ${t.requestsPerSecond} | **${count(t.embeddingsPerSecond)}** | ` +
        `${ms(t.latencyMs.p50)} | ${ms(t.latencyMs.p90)} | ${ms(t.latencyMs.p99)} | ${ms(t.latencyMs.max)} | ` +
        `${non2xx}${statuses ? ` (${statuses})` : ""} / ${t.requests.errors} / ${t.requests.timeouts} | ${once} | ` +
        `${t.loadAverage.start} / ${t.loadAverage.mean} / ${t.loadAverage.end} |`,
    );
  }
  for (const t of results.load.targets) {
    if (!t.probes) continue;
    const tried = t.probes
      .map((p) => `${p.connections}×${p.batch} ${count(p.embeddingsPerSecond)}/s`)
      .join(", ");
    lines.push("", `${t.target}: shapes probed first (connections × items, embeddings/s): ${tried}.`);
  }
  const m = results.machine;
  const duration = results.load.targets[0]?.durationS ?? 0;
  lines.push(
    "",
    `${duration} s per target, measured ${results.finishedAt.slice(0, 16).replace("T", " ")} UTC on ${m.cpu}, ` +
      `${m.cores} cores, Node ${m.node}; load generator (autocannon) and server on the same machine. ` +
      "Results: `bench/results/server.load.json`.",
  );
  return lines.join("\n");
}

export function writeLoadResults(results: LoadResults): void {
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  const text = readFileSync(BENCHMARKS, "utf8");
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md lacks the ${START} … ${END} markers`);
  writeFileSync(
    BENCHMARKS,
    `${text.slice(0, from + START.length)}\n${renderLoadTable(results)}\n${text.slice(to)}`,
  );
  // The test command lints Markdown too; pad the table the way Biome formats it.
  execFileSync(join(root, "node_modules/.bin/biome"), ["format", "--write", BENCHMARKS], { stdio: "ignore" });
}

export const currentLoad = () => loadavg()[0] ?? 0;
