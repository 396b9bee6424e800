/**
 * `npm run bench:load` — ingestion under sustained load, end to end through real server
 * processes on loopback: for each target (embedded PGlite; PGlite over the wire), a fresh
 * database, autocannon posting batches with unique ids for the duration, then the exactly-once
 * check (acknowledged items stored once, unanswered requests all or nothing, rows = ids = ledger).
 * Writes bench/results/server.load.json and the load table in BENCHMARKS.md; exits 1 if the
 * exactly-once check fails.
 *
 *   npm run bench:load -- [--duration 60] [--connections N] [--batch N] [--dim 128]
 *                         [--probe-duration 8] [--targets pglite,pglite-socket,postgres,postgres-2]
 *                         [--pg-settings name=value,…|defaults] [--streams 1] [--label text] [--no-write]
 *
 * `postgres` and `postgres-2` (two servers on one database) start a PostgreSQL cluster of their
 * own with `RECOMMENDED_PG_SETTINGS` (target.ts), or `--pg-settings` (`defaults`: initdb's), and
 * record the CPU split, WAL, statements and wait events beside the rate (observe.ts). `--streams N`
 * sends request n to stream n mod N: one stream's ingest is serialised by its row lock (seq order
 * = commit order), so several streams show what the database does across cameras. Without
 * --no-write the run's targets replace the same targets (and label) in the results file, so runs
 * of different targets or settings sit side by side.
 *
 * Without --connections and --batch, each target is first probed for --probe-duration seconds
 * per shape (2/4/8 connections × 100/500/1,000 items) and measured with the fastest, so the run
 * finds the highest rate of whatever machine it is on. 128-D is the default embedder's size.
 */
import { parseArgs } from "node:util";
import { measureTarget, type ProbeResult, probeShapes, type TargetResult } from "./measure.ts";
import { currentLoad, loadResults, RESULTS_FILE, writeLoadResults } from "./report.ts";
import { TARGETS, type TargetName } from "./target.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string" },
    batch: { type: "string" },
    "probe-duration": { type: "string", default: "8" },
    dim: { type: "string", default: "128" },
    streams: { type: "string", default: "1" },
    targets: { type: "string", default: "pglite,pglite-socket,postgres,postgres-2" },
    "pg-settings": { type: "string" },
    label: { type: "string" },
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

const durationS = positive("duration", values.duration);
const dim = positive("dim", values.dim);
const streams = positive("streams", values.streams);
const probeDurationS = positive("probe-duration", values["probe-duration"]);
const progress = (line: string) => process.stderr.write(`${line}\n`);
/** Tried when --connections / --batch are not given (the server is one process either way). */
const PROBE_GRID = {
  connections: values.connections ? [positive("connections", values.connections)] : [2, 4, 8],
  batch: values.batch ? [positive("batch", values.batch)] : [100, 500, 1000],
};
const targets = values.targets.split(",").map((t) => t.trim());
for (const t of targets) {
  if (!(t in TARGETS)) {
    process.stderr.write(`--targets: unknown target "${t}" (known: ${Object.keys(TARGETS).join(", ")})\n`);
    process.exit(2);
  }
}

function pgSettings(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  if (text === "defaults") return {};
  const settings: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const [name, value] = pair.split("=");
    if (!name || value === undefined || !/^[a-z_.]+$/.test(name)) {
      process.stderr.write(`--pg-settings: expected name=value[,name=value…] or "defaults", got "${pair}"\n`);
      process.exit(2);
    }
    settings[name] = value;
  }
  return settings;
}
const settings = pgSettings(values["pg-settings"]);

const loadAtStart = currentLoad();
const results: TargetResult[] = [];
for (const target of targets as TargetName[]) {
  let shape = { connections: PROBE_GRID.connections[0] ?? 4, batch: PROBE_GRID.batch[0] ?? 500 };
  let probes: ProbeResult[] | undefined;
  if (PROBE_GRID.connections.length * PROBE_GRID.batch.length > 1) {
    progress(`${target}: probing ${probeDurationS} s per shape for the highest rate`);
    probes = await probeShapes(target, PROBE_GRID, {
      durationS: probeDurationS,
      dim,
      progress,
      ...(settings ? { pgSettings: settings } : {}),
    });
    const best = probes.reduce((a, b) => (b.embeddingsPerSecond > a.embeddingsPerSecond ? b : a));
    shape = { connections: best.connections, batch: best.batch };
  }
  const result = {
    ...(await measureTarget(target, {
      durationS,
      dim,
      streams,
      ...shape,
      progress,
      ...(settings ? { pgSettings: settings } : {}),
    })),
    ...(values.label ? { label: values.label } : {}),
    probes,
  };
  results.push(result);
  const v = result.verification;
  process.stderr.write(
    `${target}: ${result.embeddingsPerSecond.toLocaleString("en")} embeddings/s, ${result.requestsPerSecond} requests/s, ` +
      `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; ` +
      `exactly once: ${v.ok ? "yes" : `NO — ${v.problems.slice(0, 5).join("; ")}`}\n`,
  );
  if (result.postgres) process.stderr.write(`${JSON.stringify(result.postgres, null, 2)}\n`);
}
const report = loadResults(results, loadAtStart, values["no-write"] ? undefined : RESULTS_FILE);
if (!values["no-write"]) {
  writeLoadResults(report);
  process.stderr.write(`wrote ${RESULTS_FILE} and the load table in BENCHMARKS.md\n`);
} else {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
if (!results.every((r) => r.verification.ok)) process.exit(1);
