/**
 * @module
 * Series read from the database when Prometheus scrapes, so they are right whichever process
 * ran the streaming worker or the batch detector, and survive restarts. prom-client collects
 * all metrics concurrently, so metrics fed by one query share that query's in-flight promise
 * (`shared`): one query per table per scrape. A failing query leaves its series out of that
 * scrape and counts `facedrift_scrape_errors_total{collector}` instead of failing the scrape.
 */
import { type SQL, sql } from "drizzle-orm";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Executor } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { JOB_KINDS } from "../services/jobs/kinds.ts";
import { batchNumbers } from "./batch-results.ts";

/** States of `facedrift_jobs`; every known kind is reported in each, zero included (see below). */
const JOB_STATES = ["queued", "delayed", "running"] as const;

/** Counting unprocessed rows stops here: beyond a million the exact number no longer matters. */
const LAG_CAP = 1_000_000;

type Labels = Record<string, string>;
type Sample = { labels: Labels; value: number };
type Metric = Gauge<string> | Counter<string>;

/** Runs `query` at most once at a time; callers arriving while it runs get the same promise. */
function shared<T>(db: Executor, query: SQL): () => Promise<T[]> {
  let running: Promise<T[]> | undefined;
  return () => {
    running ??= queryRows<T>(db, query).finally(() => {
      running = undefined;
    });
    return running;
  };
}

export function registerDatabaseCollectors(registry: Registry, db: Executor): void {
  const errors = new Counter({
    name: "facedrift_scrape_errors_total",
    help: "Scrape-time database collectors that failed, by collector",
    labelNames: ["collector"],
    registers: [registry],
  });

  /** A gauge or a DB-mirrored counter whose samples come from `samples` at each scrape. */
  function define<T>(
    kind: "gauge" | "counter",
    meta: { name: string; help: string; labelNames: string[] },
    collector: string,
    load: () => Promise<T[]>,
    samples: (rows: T[]) => Sample[],
  ): void {
    async function collect(this: Metric) {
      let rows: T[];
      try {
        rows = await load();
      } catch {
        errors.inc({ collector });
        this.reset();
        return;
      }
      this.reset();
      for (const { labels, value } of samples(rows)) {
        // A mirrored counter is reset and re-added: Prometheus sees the table's running total.
        if (this instanceof Counter) this.inc(labels, value);
        else this.set(labels, value);
      }
    }
    const options = { ...meta, registers: [registry], collect };
    if (kind === "gauge") new Gauge(options);
    else new Counter(options);
  }

  const stream = (row: { tenant: string; stream: string }) => ({ tenant: row.tenant, stream: row.stream });
  const streamLabels = ["tenant", "stream"];

  // Lag counts only monitored streams (an active, fitted reference), like the worker does, and
  // skips the count when the cursor is at the stream's last seq. An erasure may have left holes
  // in a stream's seqs, so `last_seq - cursor` could overcount; rows are counted on the
  // (stream_id, seq) key.
  const streams = shared<{ tenant: string; stream: string; stored: string; lag: number | null }>(
    db,
    sql`SELECT s.tenant_id::text AS tenant, s.name AS stream, s.embedding_count::text AS stored,
          CASE WHEN NOT EXISTS (SELECT 1 FROM reference_sets r
                                WHERE r.stream_id = s.id AND r.active AND r.profile IS NOT NULL) THEN NULL
               WHEN coalesce(c.last_seq, 0) >= s.last_seq THEN 0
               ELSE (SELECT count(*)::int FROM (SELECT 1 FROM embeddings e
                       WHERE e.stream_id = s.id AND e.seq > coalesce(c.last_seq, 0) LIMIT ${LAG_CAP}) x)
          END AS lag
        FROM streams s LEFT JOIN stream_cursors c ON c.stream_id = s.id`,
  );
  define(
    "gauge",
    {
      name: "facedrift_stream_embeddings",
      help: "Embeddings stored per stream (archived days excluded)",
      labelNames: streamLabels,
    },
    "streams",
    streams,
    (rows) => rows.map((row) => ({ labels: stream(row), value: Number(row.stored) })),
  );
  define(
    "gauge",
    {
      name: "facedrift_streaming_lag_embeddings",
      help: `Embeddings of monitored streams not yet processed by the streaming detector (capped at ${LAG_CAP})`,
      labelNames: streamLabels,
    },
    "streams",
    streams,
    (rows) =>
      rows.flatMap((row) => (row.lag === null ? [] : [{ labels: stream(row), value: Number(row.lag) }])),
  );

  // The queue depth the replicas' autoscaler follows (server/deploy/prometheus-adapter/values.yaml): every
  // known kind appears in every state, zeros included, because an HPA whose external metric has no
  // series stops scaling (it cannot tell "empty" from "missing") instead of scaling down. The
  // states match `claimJob`: queued means a replica could claim it now (a job whose lease ran out
  // counts here too); delayed, waiting for a retry backoff or its slot; jobs out of attempts are
  // never claimed again and are not counted.
  define(
    "gauge",
    {
      name: "facedrift_jobs",
      help: "Jobs in the queue by kind and state: queued (claimable now), delayed (retry or slot ahead), running (live lease)",
      labelNames: ["kind", "state"],
    },
    "jobs",
    shared<{ kind: string; state: string; n: number }>(
      db,
      sql`SELECT kind, state, count(*)::int AS n FROM (
            SELECT kind, CASE
                WHEN status = 'running' AND lease_until >= now() THEN 'running'
                WHEN attempts >= max_attempts THEN NULL
                WHEN status = 'queued' AND run_after > now() THEN 'delayed'
                ELSE 'queued' END AS state
            FROM jobs WHERE status IN ('queued', 'running')) j
          WHERE state IS NOT NULL
          GROUP BY kind, state`,
    ),
    (rows) => {
      const counts = new Map<string, number>();
      for (const kind of JOB_KINDS) for (const state of JOB_STATES) counts.set(`${kind}\u0000${state}`, 0);
      for (const row of rows) counts.set(`${row.kind}\u0000${row.state}`, row.n);
      return [...counts].map(([key, value]) => {
        const [kind = "", state = ""] = key.split("\u0000");
        return { labels: { kind, state }, value };
      });
    },
  );

  // Files a replica's page embedded on WASM because its WebGPU load or run failed
  // (`replica/process-batch.ts` keeps the reason in the file's details).
  define(
    "counter",
    {
      name: "facedrift_replica_webgpu_fallbacks_total",
      help: "Uploaded images a replica embedded on WASM because WebGPU failed in its browser",
      labelNames: streamLabels,
    },
    "image_files",
    shared<{ tenant: string; stream: string; n: number }>(
      db,
      sql`SELECT b.tenant_id::text AS tenant, b.stream, count(*)::int AS n
          FROM image_files f JOIN image_batches b ON b.id = f.batch_id
          WHERE f.details->>'fallback' IS NOT NULL GROUP BY 1, 2`,
    ),
    (rows) => rows.map((row) => ({ labels: stream(row), value: row.n })),
  );

  define(
    "counter",
    {
      name: "facedrift_streaming_detections_total",
      help: "ADWIN detections (drift_events rows) per stream",
      labelNames: streamLabels,
    },
    "drift_events",
    shared<{ tenant: string; stream: string; n: number }>(
      db,
      sql`SELECT s.tenant_id::text AS tenant, s.name AS stream, count(d.id)::int AS n
          FROM streams s LEFT JOIN drift_events d ON d.stream_id = s.id GROUP BY s.id`,
    ),
    (rows) => rows.map((row) => ({ labels: stream(row), value: row.n })),
  );

  define(
    "counter",
    {
      name: "facedrift_batch_runs_total",
      help: "Finished batch-detector runs per stream by outcome (drift, no_drift, failed)",
      labelNames: [...streamLabels, "outcome"],
    },
    "drift_runs",
    shared<{ tenant: string; stream: string; outcome: string; n: number }>(
      db,
      sql`SELECT s.tenant_id::text AS tenant, s.name AS stream,
            CASE WHEN r.status = 'failed' THEN 'failed' WHEN r.drift THEN 'drift' ELSE 'no_drift' END AS outcome,
            count(*)::int AS n
          FROM drift_runs r JOIN streams s ON s.id = r.stream_id
          WHERE r.status <> 'running' GROUP BY 1, 2, 3`,
    ),
    (rows) => rows.map((row) => ({ labels: { ...stream(row), outcome: row.outcome }, value: row.n })),
  );

  // Each stream's latest succeeded batch run.
  const latest = shared<{
    tenant: string;
    stream: string;
    drift: boolean | null;
    at: number | null;
    results: string;
  }>(
    db,
    sql`SELECT DISTINCT ON (r.stream_id) s.tenant_id::text AS tenant, s.name AS stream, r.drift,
          extract(epoch FROM coalesce(r.finished_at, r.started_at))::float8 AS at, r.results::text AS results
        FROM drift_runs r JOIN streams s ON s.id = r.stream_id
        WHERE r.status = 'succeeded'
        ORDER BY r.stream_id, r.finished_at DESC NULLS LAST, r.id DESC`,
  );
  const fromLatest = (
    name: string,
    help: string,
    pick: (numbers: ReturnType<typeof batchNumbers>) => number | undefined,
  ) =>
    define("gauge", { name, help, labelNames: streamLabels }, "drift_runs_latest", latest, (rows) =>
      rows.flatMap((row) => {
        const value = pick(batchNumbers(JSON.parse(row.results)));
        return value === undefined ? [] : [{ labels: stream(row), value }];
      }),
    );
  define(
    "gauge",
    {
      name: "facedrift_batch_psi",
      help: "PSI per principal component, latest succeeded run",
      labelNames: [...streamLabels, "component"],
    },
    "drift_runs_latest",
    latest,
    (rows) =>
      rows.flatMap((row) =>
        batchNumbers(JSON.parse(row.results)).psi.flatMap((value, component) =>
          value === undefined ? [] : [{ labels: { ...stream(row), component: String(component) }, value }],
        ),
      ),
  );
  fromLatest("facedrift_batch_mmd2", "Unbiased MMD², latest succeeded run", (n) => n.mmd2);
  fromLatest(
    "facedrift_batch_mmd_p_value",
    "MMD permutation-test p-value, latest succeeded run",
    (n) => n.pValue,
  );
  fromLatest(
    "facedrift_batch_knn_novelty_rate",
    "Share of window embeddings beyond the kNN threshold of the reference, latest succeeded run",
    (n) => n.knnNoveltyRate,
  );
  define(
    "gauge",
    {
      name: "facedrift_batch_drift",
      help: "1 when the latest succeeded run confirmed drift, else 0",
      labelNames: streamLabels,
    },
    "drift_runs_latest",
    latest,
    (rows) => rows.map((row) => ({ labels: stream(row), value: row.drift ? 1 : 0 })),
  );
  define(
    "gauge",
    {
      name: "facedrift_batch_last_run_timestamp_seconds",
      help: "When the latest succeeded run finished (Unix seconds)",
      labelNames: streamLabels,
    },
    "drift_runs_latest",
    latest,
    (rows) =>
      rows.flatMap((row) => (row.at === null ? [] : [{ labels: stream(row), value: Number(row.at) }])),
  );
}
