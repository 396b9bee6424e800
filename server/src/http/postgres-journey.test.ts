/**
 * The HTTP API end to end on the production path: postgres.js against the machine's PostgreSQL
 * with pgvector, on a fresh database. The route tests beside each route run on in-process PGlite;
 * this journey checks that the same requests give the same answers on the real server: ingestion
 * (JSON numbers and base64 by binary COPY, duplicates, a bad item that writes nothing), reads, a
 * reference fit (HNSW index, kNN threshold), the streaming detector reading batches by binary COPY,
 * a batch check with kNN novelty, and /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIM, MODEL, synthetic } from "../batch/testing/fixture.ts";
import { postgresAvailable } from "../db/testing/postgres-database.ts";
import { readAfterByCopy } from "../streaming/read.ts";
import { StreamingWorker } from "../streaming/worker.ts";
import { createTestApp } from "./test-app.ts";

const base64Items = (x: Float32Array, prefix: string, from = 0) =>
  Array.from({ length: x.length / DIM }, (_, i) => ({
    id: `${prefix}-${from + i}`,
    ts: Date.parse("2026-11-20T00:00:00Z") + from + i,
    embedding_b64: Buffer.from(x.buffer, x.byteOffset + i * DIM * 4, DIM * 4).toString("base64"),
  }));

describe.skipIf(!postgresAvailable)(
  "the API on PostgreSQL with pgvector",
  {
    timeout: 120_000,
  },
  () => {
    let t: Awaited<ReturnType<typeof createTestApp>>;
    let ingest: string;
    let read: string;
    let admin: string;
    const post = (path: string, json: unknown, key = ingest) => t.call("POST", path, { key, json });
    const get = (path: string, key = read) => t.call("GET", path, { key });

    beforeAll(async () => {
      t = await createTestApp({ metricsToken: "scrape" }, { over: "postgres" });
      expect(t.database.driver).toBe("postgres");
      ingest = await t.keyFor("acme", ["ingest"]);
      read = await t.keyFor("acme", ["read"]);
      admin = await t.keyFor("acme", ["admin"]);
    }, 120_000);
    afterAll(() => t?.close());

    it("ingests JSON numbers and base64 alike, counts a repeated id as a duplicate, and reads back exact float32", async () => {
      const x = synthetic.sample(2, 1);
      const first = await post("/v1/streams/gate/embeddings", {
        model: MODEL,
        items: [
          { id: "json-0", ts: "2026-11-19T12:00:00Z", embedding: Array.from(x.subarray(0, DIM)) },
          ...base64Items(x.subarray(DIM), "b64", 1),
        ],
      });
      expect(first).toMatchObject({ status: 200, body: { accepted: 2, duplicates: 0 } });
      const again = await post("/v1/streams/gate/embeddings", {
        model: MODEL,
        items: base64Items(x.subarray(DIM), "b64", 1),
      });
      expect(again).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
      const page = await get("/v1/streams/gate/embeddings?limit=10");
      expect(page.body.items.map((e: { id: string }) => e.id)).toEqual(["json-0", "b64-1"]);
      expect(Float32Array.from(page.body.items[1].embedding)).toEqual(x.subarray(DIM));
    });

    it("refuses a batch with one bad item, naming it, and writes none of the batch", async () => {
      const before = await t.call("GET", "/v1/streams/gate/embeddings?limit=1000", { key: read });
      const items = base64Items(synthetic.sample(3, 2), "bad");
      items[2] = {
        ...items[2],
        embedding_b64: Buffer.from(new Float32Array(DIM - 1).buffer).toString("base64"),
      } as never;
      const res = await post("/v1/streams/gate/embeddings", { model: MODEL, items });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("items[2].embedding_b64");
      const after = await t.call("GET", "/v1/streams/gate/embeddings?limit=1000", { key: read });
      expect(after.body.items.length).toBe(before.body.items.length);
    });

    it("fits a reference, streams a shift to the ADWIN detector over COPY, and confirms it with a batch check", async () => {
      // 1,500 calm then 600 shifted, in requests of 500.
      const calm = synthetic.sample(1500, 3);
      const shifted = synthetic.sample(600, 4, { latentShift: 1, noiseScale: 12 });
      for (const [x, prefix] of [
        [calm, "calm"],
        [shifted, "shift"],
      ] as const) {
        const items = base64Items(x, prefix);
        for (let i = 0; i < items.length; i += 500) {
          const res = await post("/v1/streams/gate/embeddings", {
            model: MODEL,
            items: items.slice(i, i + 500),
          });
          expect(res.status).toBe(200);
        }
        if (prefix === "calm") {
          const fit = await post("/v1/streams/gate/reference", { last: 1500, options: { seed: 5 } }, admin);
          expect(fit).toMatchObject({ status: 201, body: { version: 1 } });
        }
      }

      const worker = new StreamingWorker({ db: t.db, read: readAfterByCopy(t.database), pollIntervalMs: 20 });
      worker.start();
      await worker.caughtUp();
      await worker.stop();
      const events = await get("/v1/streams/gate/events");
      expect(events.status).toBe(200);
      expect(events.body.items.length).toBeGreaterThan(0);
      // Every detection lies after the shift began: the calm rows are the first 1,502 stored.
      const seqs: number[] = events.body.items.map((e: { seq: number }) => e.seq);
      expect(Math.min(...seqs)).toBeGreaterThan(1502);

      const check = await post("/v1/streams/gate/checks", { last: 600 }, admin);
      expect(check).toMatchObject({ status: 201, body: { severity: "high", drift: true } });
      expect(check.body.results.psi.flagged.length).toBeGreaterThanOrEqual(3);
      expect(check.body.results.mmd.pValue).toBeLessThan(0.05);

      const metrics = await t.app.request("/metrics", { headers: { authorization: "Bearer scrape" } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^facedrift_/m);
    });
  },
);
