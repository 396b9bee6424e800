/**
 * @module
 * Writes a load run to `bench/results/server.load.json` and regenerates the table between the
 * `<!-- load:start -->` and `<!-- load:end -->` markers in BENCHMARKS.md from that file. The JSON
 * keeps the fields `bench/run.ts` reads from every result file (`suite`, `machine`, an empty
 * `measurements`), so its table lists this run's machine and load without a ratio row.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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

/**
 * This run's targets, after those of `previousFile` that it did not re-measure (same target and
 * label), so runs of one target at a time accumulate side by side.
 */
export function loadResults(
  measured: TargetResult[],
  loadAtStart: number,
  previousFile?: string,
): LoadResults {
  const key = (t: TargetResult) => `${t.target}\u0000${t.label ?? ""}`;
  const fresh = new Set(measured.map(key));
  const kept =
    previousFile && existsSync(previousFile)
      ? (JSON.parse(readFileSync(previousFile, "utf8")) as LoadResults).load.targets.filter(
          (t) => !fresh.has(key(t)),
        )
      : [];
  // Targets of an earlier run keep when and on what they were measured.
  const previous =
    previousFile && existsSync(previousFile)
      ? (JSON.parse(readFileSync(previousFile, "utf8")) as LoadResults)
      : undefined;
  const stamped = kept.map((t) => ({
    ...t,
    measuredAt: t.measuredAt ?? previous?.finishedAt ?? new Date().toISOString(),
    measuredOn: t.measuredOn ?? previous?.machine.cpu ?? "unknown",
  }));
  const targets = [
    ...stamped,
    ...measured.map((t) => ({ ...t, measuredOn: t.measuredOn ?? cpus()[0]?.model })),
  ];
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
    "| target | connections × items × dim (streams) | requests/s | embeddings/s | p50 | p90 | p99 | max | non-2xx / errors / timeouts | exactly once | load avg (start / mean / end) |",
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
      `| ${t.target}${t.label ? ` (${t.label})` : ""} | ${t.connections} × ${t.batch} × ${t.dim}${(t.streams ?? 1) > 1 ? ` (${t.streams})` : ""} | ${t.requestsPerSecond} | **${count(t.embeddingsPerSecond)}** | ` +
        `${ms(t.latencyMs.p50)} | ${ms(t.latencyMs.p90)} | ${ms(t.latencyMs.p99)} | ${ms(t.latencyMs.max)} | ` +
        `${non2xx}${statuses ? ` (${statuses})` : ""} / ${t.requests.errors} / ${t.requests.timeouts} | ${once} | ` +
        `${t.loadAverage.start} / ${t.loadAverage.mean} / ${t.loadAverage.end} |`,
    );
  }
  const observed = results.load.targets.filter((t) => t.postgres);
  if (observed.length > 0) {
    lines.push(
      "",
      "| target | CPU over the run, servers / PostgreSQL / load generator: seconds (µs per embedding) | WAL per embedding | wait events of active sessions (share of samples) | most database time |",
      "|---|---|---|---|---|",
    );
    for (const t of observed) {
      const p = t.postgres as NonNullable<TargetResult["postgres"]>;
      const waits = Object.entries(p.waitEvents)
        .slice(0, 4)
        .map(([wait, share]) => `${wait} ${Math.round(share * 100)} %`)
        .join(", ");
      const top = p.topStatements[0];
      const perEmbedding = (seconds: number) =>
        Math.round((seconds / Math.max(1, t.verification.acceptedTotal)) * 1e6);
      lines.push(
        `| ${t.target}${t.label ? ` (${t.label})` : ""} | ${p.cpuSeconds.servers} / ${p.cpuSeconds.postgres} / ${p.cpuSeconds.loadGenerator} s ` +
          `(${perEmbedding(p.cpuSeconds.servers)} / ${perEmbedding(p.cpuSeconds.postgres)} / ${perEmbedding(p.cpuSeconds.loadGenerator)} µs) | ` +
          `${count(p.walBytesPerEmbedding ?? 0)} B | ${waits} | ` +
          `${top ? `\`${top.query.slice(0, 60).replaceAll("|", "\\|")}…\` ${count(top.totalMs)} ms in ${count(top.calls)} calls` : "–"} |`,
      );
    }
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
  // Runs grouped by the hour and machine they were measured on.
  const runs = new Map<string, string[]>();
  for (const t of results.load.targets) {
    const when = `${(t.measuredAt ?? results.finishedAt).slice(0, 13).replace("T", " ")}h UTC on ${t.measuredOn ?? m.cpu}`;
    runs.set(when, [...(runs.get(when) ?? []), `${t.target}${t.label ? ` (${t.label})` : ""}`]);
  }
  lines.push(
    "",
    `${duration} s per target; measured ${[...runs.entries()].map(([when, names]) => `${names.join(", ")}: ${when}`).join("; ")}; ` +
      `${m.cores} cores, Node ${m.node}; load generator (autocannon), servers and database on the same machine. ` +
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
