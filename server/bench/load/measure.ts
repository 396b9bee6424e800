/**
 * @module
 * One load measurement: start a target on a fresh database, drive it for the duration, stop it,
 * and check exactly-once against what it stored. The load average is sampled throughout, since
 * the machine may be shared and the figures are only comparable with it.
 */
import { loadavg } from "node:os";
import { drive } from "./drive.ts";
import { type Observer, observePostgres, type PostgresObservation } from "./observe.ts";
import { startTarget, TARGETS, type TargetName } from "./target.ts";
import { type Verification, verifyExactlyOnce } from "./verify.ts";

export interface LoadOptions {
  durationS: number;
  connections: number;
  batch: number;
  dim: number;
  /** Streams the requests are spread over (default 1): each stream's ingest is serialised by its row lock. */
  streams?: number;
  /** PostgreSQL settings for the `postgres` targets (default: `RECOMMENDED_PG_SETTINGS`). */
  pgSettings?: Record<string, string>;
  progress?: (line: string) => void;
}

export interface TargetResult {
  target: TargetName;
  description: string;
  connections: number;
  batch: number;
  dim: number;
  /** Streams the requests went to, round robin. */
  streams: number;
  durationS: number;
  requests: {
    issued: number;
    acknowledged: number;
    /** HTTP statuses other than 200, by status. */
    non2xx: Record<string, number>;
    errors: number;
    timeouts: number;
  };
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  requestsPerSecond: number;
  /** Acknowledged embeddings per second of the run. */
  embeddingsPerSecond: number;
  loadAverage: { start: number; mean: number; end: number };
  verification: Verification;
  /** Server processes on the one database. */
  servers: number;
  /** What set this run apart (`--label`, e.g. the settings), when given. */
  label?: string;
  measuredAt: string;
  /** The CPU model of the machine it ran on. */
  measuredOn?: string;
  /** On the `postgres` targets: CPU split, WAL, statements, wait events and the settings used. */
  postgres?: PostgresObservation;
  /** The short runs that chose `connections` and `batch`, when they were not given. */
  probes?: ProbeResult[];
}

const STREAM = "load";

export interface ProbeResult {
  connections: number;
  batch: number;
  embeddingsPerSecond: number;
  p99Ms: number;
}

/**
 * Short runs over a grid of connection counts and batch sizes on one server, to find the shape
 * that holds the highest rate on this machine before the measured run (which starts afresh).
 */
export async function probeShapes(
  target: TargetName,
  grid: { connections: number[]; batch: number[] },
  options: {
    durationS: number;
    dim: number;
    pgSettings?: Record<string, string>;
    progress?: (line: string) => void;
  },
): Promise<ProbeResult[]> {
  const running = await startTarget(target, undefined, { pgSettings: options.pgSettings });
  const results: ProbeResult[] = [];
  try {
    for (const connections of grid.connections) {
      for (const batch of grid.batch) {
        const run = await drive({
          url: running.urls,
          apiKey: running.adminKey,
          stream: `probe-${connections}-${batch}`,
          durationS: options.durationS,
          connections,
          batch,
          dim: options.dim,
        });
        let accepted = 0;
        for (const answer of run.ledger.acknowledged.values()) accepted += answer.accepted;
        const result = {
          connections,
          batch,
          embeddingsPerSecond: Math.round(accepted / run.elapsedS),
          p99Ms: run.latencyMs.p99,
        };
        results.push(result);
        // Requests cut off at the probe's end are still being written; /readyz queues behind them
        // for the database, so the next probe starts on an idle server.
        await fetch(`${running.url}/readyz`);
        options.progress?.(
          `${target} probe: ${connections} connections × ${batch} items → ${result.embeddingsPerSecond.toLocaleString("en")} embeddings/s, p99 ${result.p99Ms} ms`,
        );
      }
    }
  } finally {
    await running.close();
  }
  return results;
}
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function measureTarget(target: TargetName, options: LoadOptions): Promise<TargetResult> {
  options.progress?.(`${target}: starting ${TARGETS[target]}`);
  const running = await startTarget(target, undefined, { pgSettings: options.pgSettings });
  const observer: Observer | undefined = running.postgres
    ? await observePostgres(running.postgres.cluster, running.postgres.databaseUrl, running.pids)
    : undefined;
  const loads: number[] = [loadavg()[0] ?? 0];
  const sampler = setInterval(() => loads.push(loadavg()[0] ?? 0), 1_000);
  try {
    options.progress?.(
      `${target}: ${options.durationS} s, ${options.connections} connections, ${options.batch} × ${options.dim}-D per request`,
    );
    const streamNames =
      (options.streams ?? 1) === 1
        ? [STREAM]
        : Array.from({ length: options.streams ?? 1 }, (_, i) => `${STREAM}-${i}`);
    const run = await drive({
      url: running.urls,
      apiKey: running.adminKey,
      stream: streamNames,
      durationS: options.durationS,
      connections: options.connections,
      batch: options.batch,
      dim: options.dim,
      progress: options.progress,
    });
    clearInterval(sampler);
    loads.push(loadavg()[0] ?? 0);
    const observed = await observer?.stop();
    options.progress?.(`${target}: stopping the server and counting what it stored`);
    const stored = await running.finish(streamNames);
    const verification = verifyExactlyOnce(run.ledger, stored);
    const non2xx = Object.fromEntries(Object.entries(run.statuses).filter(([status]) => status !== "200"));
    return {
      target,
      description: TARGETS[target],
      connections: options.connections,
      batch: options.batch,
      dim: options.dim,
      streams: streamNames.length,
      durationS: round(run.elapsedS),
      requests: {
        issued: run.ledger.issued.size,
        acknowledged: run.ledger.acknowledged.size,
        non2xx,
        errors: run.errors,
        timeouts: run.timeouts,
      },
      latencyMs: run.latencyMs,
      requestsPerSecond: round(run.requestsPerSecond),
      embeddingsPerSecond: Math.round(verification.acceptedTotal / run.elapsedS),
      loadAverage: {
        start: round(loads[0] ?? 0),
        mean: round(loads.reduce((a, b) => a + b, 0) / loads.length),
        end: round(loads[loads.length - 1] ?? 0),
      },
      verification,
      servers: running.urls.length,
      measuredAt: new Date().toISOString(),
      ...(observed
        ? {
            postgres: {
              ...observed,
              walBytesPerEmbedding:
                verification.acceptedTotal > 0
                  ? Math.round(observed.walBytes / verification.acceptedTotal)
                  : 0,
            },
          }
        : {}),
    };
  } finally {
    clearInterval(sampler);
    await running.close();
  }
}
