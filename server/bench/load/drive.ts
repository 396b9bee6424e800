/**
 * @module
 * Drives `POST /v1/streams/{stream}/embeddings` with autocannon for a fixed time and keeps the
 * client's ledger: every request number started, and every one answered 200 with the server's
 * counts. With one request in flight per connection (no pipelining) autocannon's per-connection
 * context carries the request number from `setupRequest` to `onResponse`.
 */
import autocannon from "autocannon";
import { bodyBuilder } from "./body.ts";
import type { ClientLedger } from "./verify.ts";

export interface DriveOptions {
  url: string;
  apiKey: string;
  stream: string;
  durationS: number;
  connections: number;
  batch: number;
  dim: number;
  /** Called every few seconds with a one-line progress report. */
  progress?: (line: string) => void;
}

export interface DriveResult {
  ledger: ClientLedger;
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  /** Connection errors and client-side timeouts (no HTTP answer). */
  errors: number;
  timeouts: number;
  /** Seconds autocannon actually ran. */
  elapsedS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Responses per second, autocannon's mean over the run's seconds. */
  requestsPerSecond: number;
}

interface Context {
  request?: number;
}

export async function drive(options: DriveOptions): Promise<DriveResult> {
  const build = bodyBuilder({ batch: options.batch, dim: options.dim });
  const issued = new Set<number>();
  const acknowledged = new Map<number, { accepted: number; duplicates: number }>();
  const statuses: Record<string, number> = {};
  let next = 0;
  let accepted = 0;

  const instance = autocannon({
    url: `${options.url}/v1/streams/${encodeURIComponent(options.stream)}/embeddings`,
    method: "POST",
    connections: options.connections,
    pipelining: 1,
    duration: options.durationS,
    timeout: 60,
    headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request, context) => {
          const n = next++;
          (context as Context).request = n;
          issued.add(n);
          return { ...request, body: build(n) };
        },
        onResponse: (status, body, context) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          const n = (context as Context).request;
          if (status !== 200 || n === undefined) return;
          const answer = JSON.parse(body) as { accepted: number; duplicates: number };
          acknowledged.set(n, { accepted: answer.accepted, duplicates: answer.duplicates });
          accepted += answer.accepted;
        },
      },
    ],
  });

  const started = Date.now();
  const ticker = setInterval(() => {
    const s = (Date.now() - started) / 1000;
    options.progress?.(
      `  ${s.toFixed(0).padStart(3)} s  ${acknowledged.size} requests acknowledged, ` +
        `${accepted.toLocaleString("en")} embeddings (${Math.round(accepted / s).toLocaleString("en")}/s)`,
    );
  }, 5_000);
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    clearInterval(ticker);
  }

  return {
    ledger: { batch: options.batch, issued, acknowledged },
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    elapsedS: result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    requestsPerSecond: result.requests.average,
  };
}
