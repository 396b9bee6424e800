import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { createApp } from "../http/app.ts";
import { createTestApp } from "../http/test-app.ts";
import { createMetrics } from "./metrics.ts";
import { findPromtool, promtool } from "./testing/promtool.ts";

const TOKEN = "scrape-token-0123456789";
const tool = findPromtool();
const model = { id: "m", version: "1" };

describe("GET /metrics", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let app: ReturnType<typeof createApp>;
  let exposition: string;
  const post = (key: string, json: unknown) =>
    app.request("/v1/streams/lobby/embeddings", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(json),
    });

  const scrape = async (
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
    env?: unknown,
  ) => {
    const res = await app.request("/metrics", { headers }, env);
    return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
  };

  beforeAll(async () => {
    t = await createTestApp({ metricsToken: TOKEN });
    // The streaming worker's snapshot, as `serve` passes it in.
    const metrics = createMetrics({
      db: t.db,
      streaming: () => ({
        processedTotal: 3,
        detectionsTotal: 1,
        alertsDispatchedTotal: 0,
        batchesTotal: 1,
        errorsTotal: 0,
        leaseLostTotal: 0,
        ownedStreams: 1,
        streams: [{ tenantId: 1, stream: "lobby", lastPc1: -0.25 }],
      }),
    });
    app = createApp({ database: t.database, config: t.config, metrics });
    const key = await t.keyFor("acme", ["ingest"]);
    const items = [0, 1, 2].map((i) => ({ id: `e${i}`, ts: 1_790_000_000_001, embedding: [1, i, 0.5] }));
    await post(key, { model, items });
    await post(key, { model, items: items.slice(0, 1) });
    await post(key, { model, items: [{ id: "x" }] });
    await post(key, { model: { id: "other", version: "1" }, items });
    // A capture station whose WebGPU run failed says so on each item it sends afterwards.
    const kiosk = (json: unknown) =>
      app.request("/v1/streams/kiosk/embeddings", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(json),
      });
    const fallback = { engine: "onnxruntime-web/wasm,tfjs/wasm", fallback: "WebGPU failed (lost device)" };
    const kioskItems = [0, 1].map((i) => ({
      id: `k${i}`,
      ts: 1_790_000_000_001,
      embedding: [1, i, 0.5],
      metadata: i === 0 ? fallback : { engine: "onnxruntime-web/webgpu,tfjs/webgpu" },
    }));
    await kiosk({ model, items: kioskItems });
    await kiosk({ model, items: kioskItems });
    const [stream] = await queryRows<{ id: number; tenant_id: number }>(
      t.db,
      sql`SELECT id::int AS id, tenant_id::int AS tenant_id FROM streams WHERE name = 'lobby'`,
    );
    await t.db.execute(sql`INSERT INTO stream_cursors (stream_id, last_seq) VALUES (${stream!.id}, 0)`);
    // A replica's image batch: one file embedded after a WebGPU fallback, one on WebGPU.
    const [batch] = await queryRows<{ id: number }>(
      t.db,
      sql`INSERT INTO image_batches (tenant_id, stream, status, file_count)
          VALUES (${stream!.tenant_id}, 'uploads', 'succeeded', 2) RETURNING id::int AS id`,
    );
    await t.db.execute(
      sql`INSERT INTO image_files (tenant_id, batch_id, position, filename, media_type, bytes, sha256, width, height, status, details)
          VALUES (${stream!.tenant_id}, ${batch!.id}, 0, 'a.jpg', 'image/jpeg', 1, 'aa', 1, 1, 'embedded',
                  '{"engines":["onnxruntime-web/wasm","tfjs/wasm"],"fallback":"WebGPU failed (x)"}'::jsonb),
                 (${stream!.tenant_id}, ${batch!.id}, 1, 'b.jpg', 'image/jpeg', 1, 'bb', 1, 1, 'embedded',
                  '{"engines":["onnxruntime-web/webgpu","tfjs/webgpu"]}'::jsonb)`,
    );
    // Lag is reported for monitored streams only: an active reference with a fitted profile.
    await t.db.execute(
      sql`INSERT INTO reference_sets (stream_id, version, model_id, model_version, dimension, active, profile)
          VALUES (${stream!.id}, 1, 'm', '1', 3, true, '{}'::jsonb)`,
    );
    await t.db.execute(
      sql`INSERT INTO drift_events (stream_id, seq, signal, mean_before, mean_after) VALUES (${stream!.id}, 2, 'pc1', 0.1, 0.4)`,
    );
    const results = {
      psi: { values: [0.02, 0.31, 0.05], flagged: [1] },
      mmd: { mmd2Unbiased: 0.0184, pValue: 0.002 },
      knn: { noveltyRate: 0.12 },
    };
    await t.db.execute(
      sql`INSERT INTO drift_runs (stream_id, status, drift, results, finished_at)
          VALUES (${stream!.id}, 'succeeded', true, ${JSON.stringify(results)}::jsonb, now()),
                 (${stream!.id}, 'failed', null, '{}'::jsonb, now())`,
    );
    // The replicas' queue: two claimable image batches, one whose replica died (lease expired:
    // claimable again), one held; a verification waiting for its retry, one out of attempts; a
    // finished batch check.
    await t.db.execute(
      sql`INSERT INTO jobs (kind, status, attempts, max_attempts, run_after, lease_owner, lease_until) VALUES
            ('image-batch', 'queued', 0, 5, now() - interval '1 minute', NULL, NULL),
            ('image-batch', 'queued', 1, 5, now() - interval '1 second', NULL, NULL),
            ('image-batch', 'running', 1, 5, now(), 'dead', now() - interval '1 minute'),
            ('image-batch', 'running', 5, 5, now(), 'alive', now() + interval '1 minute'),
            ('verification', 'queued', 2, 5, now() + interval '1 hour', NULL, NULL),
            ('verification', 'queued', 5, 5, now() - interval '1 hour', NULL, NULL),
            ('batch-check', 'succeeded', 1, 5, now(), NULL, NULL)`,
    );
    const res = await scrape();
    expect(res.status).toBe(200);
    exposition = res.text;
  }, 120_000);
  afterAll(() => t.close());

  it.skipIf("skip" in tool)(
    `passes promtool check metrics${"skip" in tool ? ` (skipped: ${tool.skip})` : ""}`,
    () => {
      const result = promtool(tool as { path: string }, ["check", "metrics"], exposition);
      // promtool exits 1 on lint findings too. prom-client's own process gauges
      // (nodejs_active_*_total) draw one; ours must draw none, and nothing may fail to parse.
      const findings = result.output.split("\n").filter((line) => line.trim() !== "");
      const ours = findings.filter((line) => !/^nodejs_active_\w+_total non-counter metrics/.test(line));
      expect(ours).toEqual([]);
    },
  );

  it("exposes the ingestion, streaming, batch, HTTP and process series", () => {
    const lines = exposition.split("\n");
    const has = (prefix: string) =>
      expect(
        lines.some((l) => l.startsWith(prefix)),
        prefix,
      ).toBe(true);
    has('facedrift_ingest_items_total{tenant="1",stream="lobby",outcome="accepted"} 3');
    has('facedrift_ingest_items_total{tenant="1",stream="lobby",outcome="duplicate"} 1');
    has('facedrift_ingest_rejected_total{reason="invalid_request"} 1');
    // Counted once: the resent batch was all duplicates.
    has('facedrift_ingest_webgpu_fallbacks_total{tenant="1",stream="kiosk"} 1');
    has('facedrift_replica_webgpu_fallbacks_total{tenant="1",stream="uploads"} 1');
    has('facedrift_ingest_rejected_total{reason="conflict"} 1');
    has('facedrift_stream_embeddings{tenant="1",stream="lobby"} 3');
    has('facedrift_streaming_lag_embeddings{tenant="1",stream="lobby"} 3');
    has('facedrift_streaming_detections_total{tenant="1",stream="lobby"} 1');
    has("facedrift_streaming_processed_total 3");
    has("facedrift_streaming_owned_streams 1");
    has('facedrift_streaming_pc1{tenant="1",stream="lobby"} -0.25');
    has('facedrift_batch_psi{tenant="1",stream="lobby",component="1"} 0.31');
    has('facedrift_batch_mmd2{tenant="1",stream="lobby"} 0.0184');
    has('facedrift_batch_mmd_p_value{tenant="1",stream="lobby"} 0.002');
    has('facedrift_batch_knn_novelty_rate{tenant="1",stream="lobby"} 0.12');
    has('facedrift_batch_drift{tenant="1",stream="lobby"} 1');
    has('facedrift_batch_runs_total{tenant="1",stream="lobby",outcome="drift"} 1');
    has('facedrift_batch_runs_total{tenant="1",stream="lobby",outcome="failed"} 1');
    has(
      'facedrift_http_request_duration_seconds_count{method="POST",route="/v1/streams/:stream/embeddings",status="200"} 4',
    );
    has('facedrift_jobs{kind="image-batch",state="queued"} 3');
    has('facedrift_jobs{kind="image-batch",state="running"} 1');
    has('facedrift_jobs{kind="image-batch",state="delayed"} 0');
    has('facedrift_jobs{kind="verification",state="delayed"} 1');
    has('facedrift_jobs{kind="verification",state="queued"} 0');
    // An empty kind still has its series: an autoscaler without a series stops scaling.
    has('facedrift_jobs{kind="batch-check",state="queued"} 0');
    has('facedrift_jobs{kind="batch-check",state="running"} 0');
    has("process_cpu_seconds_total");
    has("nodejs_heap_size_used_bytes");
    expect(exposition).not.toContain("facedrift_scrape_errors_total{");
  });

  it("labels unmatched paths with one value, never the raw path", async () => {
    await app.request("/no/such/path-12345");
    const { text } = await scrape();
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain("path-12345");
  });

  it("wants the token when one is configured, and loopback otherwise", async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: "Bearer wrong" })).status).toBe(401);
    const open = await createTestApp();
    try {
      const local = { incoming: { socket: { remoteAddress: "127.0.0.1" } } };
      const remote = { incoming: { socket: { remoteAddress: "203.0.113.9" } } };
      expect((await open.app.request("/metrics", {}, local)).status).toBe(200);
      expect((await open.app.request("/metrics", {}, remote)).status).toBe(403);
      expect((await open.app.request("/metrics")).status).toBe(403);
    } finally {
      await open.close();
    }
  }, 60_000);
});
