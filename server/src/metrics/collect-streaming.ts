/**
 * @module
 * The streaming workers' own counters, read from their snapshot at scrape time. The shape is
 * declared here (structurally the `StreamingMetricsSnapshot` of `streaming/metrics.ts`), so the
 * metrics depend on no worker code: `serve` passes the worker's snapshot function in. The
 * counters are per process: a worker running in another process shows on that process's
 * `/metrics`, while lag and detections (`collect-db.ts`) are right from any process.
 */
import { Counter, Gauge, type Registry } from "prom-client";

export interface StreamingSnapshot {
  processedTotal: number;
  detectionsTotal: number;
  alertsDispatchedTotal: number;
  batchesTotal: number;
  errorsTotal: number;
  leaseLostTotal: number;
  ownedStreams: number;
  streams: { tenantId: number; stream: string; lastPc1: number; detectors?: number }[];
}

const COUNTERS: [keyof StreamingSnapshot, string, string][] = [
  [
    "processedTotal",
    "facedrift_streaming_processed_total",
    "Embeddings this process's streaming workers processed",
  ],
  ["batchesTotal", "facedrift_streaming_batches_total", "Batches this process's streaming workers committed"],
  ["errorsTotal", "facedrift_streaming_errors_total", "Streaming batches that failed (retried later)"],
  [
    "leaseLostTotal",
    "facedrift_streaming_lease_lost_total",
    "Streaming batches discarded after losing the lease",
  ],
  [
    "alertsDispatchedTotal",
    "facedrift_streaming_alerts_dispatched_total",
    "Incident notifications (opened, escalated) the streaming findings sent to the channels",
  ],
];

export function registerStreamingCollectors(registry: Registry, snapshot: () => StreamingSnapshot): void {
  for (const [field, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect(this: Counter) {
        this.reset();
        this.inc(Number(snapshot()[field]));
      },
    });
  }
  new Gauge({
    name: "facedrift_streaming_owned_streams",
    help: "Streams whose lease this process's workers hold",
    registers: [registry],
    collect(this: Gauge) {
      this.set(snapshot().ownedStreams);
    },
  });
  const perStream = (
    name: string,
    help: string,
    value: (s: StreamingSnapshot["streams"][number]) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ["tenant", "stream"],
      registers: [registry],
      collect(this: Gauge<"tenant" | "stream">) {
        this.reset();
        for (const s of snapshot().streams) {
          const v = value(s);
          if (v !== undefined && Number.isFinite(v))
            this.set({ tenant: String(s.tenantId), stream: s.stream }, v);
        }
      },
    });
  perStream(
    "facedrift_streaming_pc1",
    "PC1 score of the last embedding this process's worker committed, per stream",
    (s) => s.lastPc1,
  );
  perStream(
    "facedrift_streaming_detectors",
    "Streaming detectors running per stream: 3 (PC1 ADWIN, residual ADWIN, MMD window), 1 when the reference profile predates the others",
    (s) => s.detectors,
  );
}
