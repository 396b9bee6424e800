/**
 * @module
 * Drives `POST /v1/streams/{stream}/embeddings` with autocannon for a fixed time and keeps the
 * client's ledger: every request number started, and every one answered 200 with the server's
 * counts. With one request in flight per connection (no pipelining) autocannon's per-connection
 * context carries the request number from `setupRequest` to `onResponse`. Several server URLs
 * (servers on one database) get one autocannon instance each, the connections split between them
 * and one request numbering and ledger across them; latency percentiles are computed over every
 * response of every instance.
 */
import autocannon from "autocannon";
import { bodyBuilder } from "./body.ts";
import type { ClientLedger } from "./verify.ts";

export interface DriveOptions {
  /** One server's URL, or several servers' (the connections are split between them). */
  url: string | readonly string[];
  apiKey: string;
  /** The stream, or several: request n goes to stream n mod their number. */
  stream: string | readonly string[];
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
  /** Responses per second over the run. */
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

  const urls = typeof options.url === "string" ? [options.url] : options.url;
  const streams = typeof options.stream === "string" ? [options.stream] : options.stream;
  if (options.connections < urls.length)
    throw new Error(`${options.connections} connections cannot reach ${urls.length} servers`);
  const latencies: number[] = [];
  const instances = urls.map((url, i) => {
    // Connections split as evenly as they go; the first servers take the remainder.
    const connections =
      Math.floor(options.connections / urls.length) + (i < options.connections % urls.length ? 1 : 0);
    let settle: (result: autocannon.Result) => void = () => {};
    let fail: (error: Error) => void = () => {};
    const done = new Promise<autocannon.Result>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const instance = autocannon(
      {
        url: `${url}/v1/streams/${encodeURIComponent(streams[0] as string)}/embeddings`,
        method: "POST",
        connections,
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
              const stream = streams[n % streams.length] as string;
              return {
                ...request,
                path: `/v1/streams/${encodeURIComponent(stream)}/embeddings`,
                body: build(n),
              };
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
      },
      (error, result) => (error ? fail(error) : settle(result)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
    return done;
  });

  const started = Date.now();
  const ticker = setInterval(() => {
    const s = (Date.now() - started) / 1000;
    options.progress?.(
      `  ${s.toFixed(0).padStart(3)} s  ${acknowledged.size} requests acknowledged, ` +
        `${accepted.toLocaleString("en")} embeddings (${Math.round(accepted / s).toLocaleString("en")}/s)`,
    );
  }, 5_000);
  let results: autocannon.Result[];
  try {
    results = await Promise.all(instances);
  } finally {
    clearInterval(ticker);
  }
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies.length === 0
      ? 0
      : (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number);
  const elapsedS = Math.max(...results.map((r) => r.duration));
  return {
    ledger: { batch: options.batch, issued, acknowledged },
    statuses,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
    elapsedS,
    latencyMs: {
      p50: Math.round(quantile(0.5)),
      p90: Math.round(quantile(0.9)),
      p99: Math.round(quantile(0.99)),
      max: Math.round(latencies[latencies.length - 1] ?? 0),
      mean: Math.round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    },
    requestsPerSecond: latencies.length / elapsedS,
  };
}
