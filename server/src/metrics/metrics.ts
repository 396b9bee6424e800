/**
 * @module
 * The Prometheus instruments of one server process (prom-client), in one registry per app so
 * tests can build several apps side by side. Three kinds of series:
 *
 * - counted in-process as things happen: HTTP latency (`http.ts`), ingestion outcomes (the
 *   ingest route), and what this process's streaming workers did (processed rows, batches,
 *   errors, last PC1 per stream), read from the worker's own snapshot at scrape time
 *   (`collect-streaming.ts`);
 * - read from the database at scrape time (`collect-db.ts`): lag per stream, ADWIN detections,
 *   the latest batch run's PSI/MMD²/p-value/kNN novelty, runs by outcome. These are right in
 *   every process, whichever process did the work;
 * - the process metrics prom-client collects by default (`process_*`, `nodejs_*`).
 *
 * Cardinality: streams are labels (`tenant` = tenant id, `stream` = name). A deployment with
 * thousands of streams gets thousands of series per per-stream metric; PSI adds one series per
 * monitored component (k = 10 principal components, not the raw 512 dimensions). Nothing takes
 * a label from unauthenticated input: HTTP routes are the registered patterns, rejections are
 * error codes.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { Executor } from "../db/database.ts";
import { registerDatabaseCollectors } from "./collect-db.ts";
import { registerStreamingCollectors, type StreamingSnapshot } from "./collect-streaming.ts";

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  /** Items per stream: `outcome` is accepted or duplicate. */
  readonly ingestItems: Counter<"tenant" | "stream" | "outcome">;
  /** Ingestion requests refused, by error code (no stream label: the name may be the problem). */
  readonly ingestRejected: Counter<"reason">;
  /** Accepted items a capture station embedded on WASM after its WebGPU run failed (`metadata.fallback`). */
  ingestWebgpuFallbacks: Counter<"tenant" | "stream">;
}

export interface MetricsOptions {
  /** Adds the scrape-time collectors that read this database. */
  db?: Executor;
  /** prom-client's process metrics; on by default. */
  processMetrics?: boolean;
  /** The streaming workers' counters (`streamingMetricsSnapshot` of `streaming/metrics.ts`). */
  streaming?: () => StreamingSnapshot;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const metrics: Metrics = {
    registry,
    httpDuration: new Histogram({
      name: "facedrift_http_request_duration_seconds",
      help: "HTTP request latency by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      // From a 1 ms health check to a 10 s ingestion batch on a loaded machine.
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ingestItems: new Counter({
      name: "facedrift_ingest_items_total",
      help: "Embeddings received by ingestion, by stream and outcome (accepted, duplicate)",
      labelNames: ["tenant", "stream", "outcome"],
      registers: [registry],
    }),
    ingestRejected: new Counter({
      name: "facedrift_ingest_rejected_total",
      help: "Ingestion requests refused as a whole, by error code",
      labelNames: ["reason"],
      registers: [registry],
    }),
    ingestWebgpuFallbacks: new Counter({
      name: "facedrift_ingest_webgpu_fallbacks_total",
      help: "Accepted embeddings that a capture station made on WASM because its WebGPU run failed (metadata.fallback)",
      labelNames: ["tenant", "stream"],
      registers: [registry],
    }),
  };
  if (options.db) registerDatabaseCollectors(registry, options.db);
  if (options.streaming) registerStreamingCollectors(registry, options.streaming);
  return metrics;
}

export interface StreamRef {
  tenantId: number;
  stream: string;
}

/**
 * For the ingest route: one request's outcome. `fallbacks`: items sent with `metadata.fallback`
 * (counted on requests that stored something; a resent batch is all duplicates and adds none).
 */
export function recordIngest(
  metrics: Metrics,
  ref: StreamRef,
  accepted: number,
  duplicates: number,
  fallbacks = 0,
): void {
  const labels = { tenant: String(ref.tenantId), stream: ref.stream };
  metrics.ingestItems.inc({ ...labels, outcome: "accepted" }, accepted);
  metrics.ingestItems.inc({ ...labels, outcome: "duplicate" }, duplicates);
  if (accepted > 0 && fallbacks > 0) metrics.ingestWebgpuFallbacks.inc(labels, Math.min(fallbacks, accepted));
}
