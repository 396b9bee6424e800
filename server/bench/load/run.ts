/**
 * `npm run bench:load` — ingestion under sustained load, end to end through real server
 * processes on loopback: for each target (embedded PGlite; PGlite over the wire), a fresh
 * database, autocannon posting batches with unique ids for the duration, then the exactly-once
 * check (acknowledged items stored once, unanswered requests all or nothing, rows = ids = ledger).
 * Writes bench/results/server.load.json and the load table in BENCHMARKS.md; exits 1 if the
 * exactly-once check fails.
 *
 *   npm run bench:load -- [--duration 60] [--connections 4] [--batch 500] [--dim 128]
 *                         [--targets pglite,pglite-socket] [--no-write]
 *
 * Defaults: the face pipeline's default embedder is 128-D; 4 connections of 500-item batches
 * held the highest embeddings/s on the 2-core machine (see BENCHMARKS.md for the sweep).
 */
import { parseArgs } from "node:util";
import { measureTarget, type TargetResult } from "./measure.ts";
import { currentLoad, loadResults, RESULTS_FILE, writeLoadResults } from "./report.ts";
import { TARGETS, type TargetName } from "./target.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string", default: "4" },
    batch: { type: "string", default: "500" },
    dim: { type: "string", default: "128" },
    targets: { type: "string", default: Object.keys(TARGETS).join(",") },
    "no-write": { type: "boolean", default: false },
  },
});

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}

const options = {
  durationS: positive("duration", values.duration),
  connections: positive("connections", values.connections),
  batch: positive("batch", values.batch),
  dim: positive("dim", values.dim),
  progress: (line: string) => process.stderr.write(`${line}\n`),
};
const targets = values.targets.split(",").map((t) => t.trim());
for (const t of targets) {
  if (!(t in TARGETS)) {
    process.stderr.write(`--targets: unknown target "${t}" (known: ${Object.keys(TARGETS).join(", ")})\n`);
    process.exit(2);
  }
}

const loadAtStart = currentLoad();
const results: TargetResult[] = [];
for (const target of targets as TargetName[]) {
  const result = await measureTarget(target, options);
  results.push(result);
  const v = result.verification;
  process.stderr.write(
    `${target}: ${result.embeddingsPerSecond.toLocaleString("en")} embeddings/s, ${result.requestsPerSecond} requests/s, ` +
      `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; ` +
      `exactly once: ${v.ok ? "yes" : `NO — ${v.problems.slice(0, 5).join("; ")}`}\n`,
  );
}
const report = loadResults(results, loadAtStart);
if (!values["no-write"]) {
  writeLoadResults(report);
  process.stderr.write(`wrote ${RESULTS_FILE} and the load table in BENCHMARKS.md\n`);
} else {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
if (!results.every((r) => r.verification.ok)) process.exit(1);
