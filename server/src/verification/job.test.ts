/**
 * Verification as a server job, from the API to the stored run: `POST /v1/verification-jobs` on a
 * configured labelled set of real LFW photos, a `ReplicaWorker` claiming the job and embedding the
 * images (through `nodePageEmbedder`, the page's contract over the Node pipeline; the Chromium
 * page itself is covered by e2e/replica.e2e.test.ts), the run stored with the job's success, an
 * alert below the minimum AUC, a lease lost mid-run, and a stream of another model.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CATALOG, DEFAULT_MODELS, parsePairs } from "@facedrift/models";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { createTestApp } from "../http/test-app.ts";
import { LocalImageStore } from "../images/local-store.ts";
import type { ImageEmbedder } from "../replica/chromium.ts";
import { nodePageEmbedder } from "../replica/testing/node-page.ts";
import { ReplicaWorker } from "../replica/worker.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { claimJob } from "../services/jobs/queue.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { runVerificationJob } from "./job.ts";
import { enqueueVerification, VERIFICATION_JOB, type VerificationJobPayload } from "./queue.ts";

const FACES = resolve(import.meta.dirname, "../../../../shared/data/faces");
const EMBEDDER = CATALOG[DEFAULT_MODELS.embedder];
const MODEL = { id: EMBEDDER?.id as string, version: EMBEDDER?.version as string };
const DIM = EMBEDDER?.output.dimension as number;

describe("verification jobs", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "facedrift-verification-job-"));
  // Every 100th LFW View 1 test pair: 5 genuine, 5 impostor; the same pairs with the labels
  // swapped stand for a model that no longer tells people apart.
  const pairsFile = join(dir, "pairs.tsv");
  const swappedFile = join(dir, "swapped.tsv");
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;
  let reader: string;
  let embedder: ImageEmbedder;
  let worker: ReplicaWorker;
  let tenantId: number;

  beforeAll(async () => {
    const pairs = parsePairs(readFileSync(join(FACES, "pairs.tsv"), "utf8")).filter((_, i) => i % 100 === 0);
    const tsv = (swap: boolean) =>
      ["left\tright\tsame", ...pairs.map((p) => `${p.left}\t${p.right}\t${p.same !== swap ? 1 : 0}`)].join(
        "\n",
      );
    writeFileSync(pairsFile, tsv(false));
    writeFileSync(swappedFile, tsv(true));
    t = await createTestApp({
      verificationPairs: pairsFile,
      verificationImages: join(FACES, "images"),
      verificationMinAuc: 0.98,
    });
    admin = await t.keyFor("acme", ["admin"]);
    reader = await t.keyFor("acme", ["read"]);
    tenantId = await ensureTenant(t.db, "acme");
    // Streams are created by their first embeddings, which fix the model.
    const embedding_b64 = Buffer.from(new Float32Array(DIM).fill(0.1).buffer).toString("base64");
    for (const [stream, model] of [
      ["lobby", MODEL],
      ["legacy", { id: "faceplugin-feature", version: "0" }],
    ] as const) {
      await ingestEmbeddings(t.database, {
        tenantId,
        stream,
        model,
        items: [{ id: `${stream}-1`, ts: Date.now(), embedding_b64 }],
      });
    }
    embedder = await nodePageEmbedder();
    worker = new ReplicaWorker({
      database: t.database,
      store: new LocalImageStore(join(dir, "store")),
      openEmbedder: async () => embedder,
      owner: "replica-a",
      imageRetentionHours: 0,
    });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobRow = async (id: number) =>
    (
      await queryRows<{ status: string; attempts: number; last_error: string | null }>(
        t.db,
        sql`SELECT status, attempts, last_error FROM jobs WHERE id = ${id}`,
      )
    )[0];
  const runsStored = async () =>
    Number(
      (await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM verification_runs`))[0]?.n,
    );

  it("queues on the configured labelled set; a replica embeds it and stores the run with the job", async () => {
    const queued = await t.call("POST", "/v1/verification-jobs", { key: admin, json: { stream: "lobby" } });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({
      status: "queued",
      stream: "lobby",
      pairsFile,
      minAuc: 0.98,
      limit: null,
      progress: null,
      run: null,
      trigger: { kind: "api", actor: expect.stringMatching(/^key:/) },
    });

    expect(await worker.runOnce()).toBe(true);
    const done = await t.call("GET", `/v1/verification-jobs/${queued.body.id}`, { key: reader });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: "succeeded", attempts: 1, error: null });
    // 10 pairs over 20 distinct photos, every one embedded.
    expect(done.body.progress).toMatchObject({ done: 20, total: 20 });
    expect(done.body.run.pairs).toBe(10);
    expect(done.body.run.auc).toBeGreaterThanOrEqual(0.98);
    expect(done.body.run.belowMinAuc).toBe(false);

    const [stored] = (await t.call("GET", "/v1/verification-runs?stream=lobby", { key: reader })).body
      .items as Array<{ id: number; model: unknown; details: Record<string, unknown> }>;
    expect(stored?.id).toBe(done.body.run.id);
    expect(stored?.model).toEqual(MODEL);
    // LFW's convention, as `facedrift verify`: the face nearest the centre.
    expect(stored?.details).toMatchObject({ facePolicy: "central", pairsFile });
    const audit = await queryRows<{ target: string }>(
      t.db,
      sql`SELECT target FROM audit_log WHERE action = 'verification.queue'`,
    );
    expect(audit).toEqual([
      { target: `verification-job:${await t.rowId("verification-job", queued.body.id)}` },
    ]);
    const listed = await t.call("GET", "/v1/verification-jobs?status=succeeded", { key: reader });
    expect(listed.body.items.map((j: { id: number }) => j.id)).toContain(queued.body.id);
  });

  it("raises a verification alert on the stream when the AUC falls below the minimum", async () => {
    const id = await enqueueVerification(t.db, {
      tenantId,
      stream: { id: await streamId("lobby"), name: "lobby" },
      pairsFile: swappedFile,
      imagesDir: join(FACES, "images"),
      minAuc: 0.98,
      limit: 4,
      trigger: { kind: "api", actor: "test" },
    });
    expect(await worker.runOnce()).toBe(true);
    const job = (
      await t.call("GET", `/v1/verification-jobs/${await t.publicId("verification-job", id)}`, {
        key: reader,
      })
    ).body;
    expect(job.status).toBe("succeeded");
    expect(job.run.auc).toBeLessThan(0.5);
    expect(job.run.belowMinAuc).toBe(true);
    const [alert] = (await t.call("GET", "/v1/alerts?stream=lobby", { key: reader })).body.items;
    expect(alert).toMatchObject({ detector: "verification", severity: "critical" });
    expect(alert.payload).toMatchObject({ verificationRunId: job.run.id, minAuc: 0.98, auc: job.run.auc });
    expect(alert.payload.title).toContain("Verification on lobby");
  });

  it("stores nothing when the lease is lost mid-run; the new owner's run is the one stored", async () => {
    const id = await enqueueVerification(t.db, payload({ limit: 4 }));
    const claimed = await claimJob(t.db, [VERIFICATION_JOB], "replica-a", 60_000);
    expect(claimed?.id).toBe(id);
    // Replica A stalls past its lease; replica B takes the job over.
    await t.db.execute(sql`UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = ${id}`);
    const takenOver = await claimJob(t.db, [VERIFICATION_JOB], "replica-b", 60_000);
    expect(takenOver?.id).toBe(id);
    const before = await runsStored();
    const stale = await runVerificationJob({
      database: t.database,
      job: claimed as NonNullable<typeof claimed>,
      owner: "replica-a",
      leaseMs: 300,
      source: (await import("../replica/page-faces.ts")).pageFaceSource(embedder),
    });
    expect(stale).toEqual({ status: "lost" });
    expect(await runsStored()).toBe(before);
    const fresh = await runVerificationJob({
      database: t.database,
      job: takenOver as NonNullable<typeof takenOver>,
      owner: "replica-b",
      leaseMs: 60_000,
      source: (await import("../replica/page-faces.ts")).pageFaceSource(embedder),
    });
    expect(fresh.status).toBe("succeeded");
    expect(await runsStored()).toBe(before + 1);
    expect(await jobRow(id)).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("fails a job whose stream holds another model's embeddings, without retrying", async () => {
    const queued = await t.call("POST", "/v1/verification-jobs", { key: admin, json: { stream: "legacy" } });
    expect(queued.status).toBe(202);
    const before = await runsStored();
    expect(await worker.runOnce()).toBe(true);
    const row = await jobRow(Number(await t.rowId("verification-job", queued.body.id)));
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row?.last_error).toContain("faceplugin-feature@0");
    expect(await runsStored()).toBe(before);
  });

  it("answers bad requests with the field, and keeps tenants apart", async () => {
    const bad = async (json: unknown, status: number, field: string) => {
      const res = await t.call("POST", "/v1/verification-jobs", { key: admin, json });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.field).toBe(field);
    };
    await bad({ minAuc: 1.5 }, 400, "minAuc");
    await bad({ limit: 1 }, 400, "limit");
    await bad({ stream: "nowhere" }, 404, "stream");
    await bad({ pairs: "/etc/passwd" }, 400, "pairs");
    expect((await t.call("POST", "/v1/verification-jobs", { key: reader, json: {} })).status).toBe(403);
    const queued = await t.call("POST", "/v1/verification-jobs", { key: admin, json: {} });
    expect(queued.body).toMatchObject({ status: "queued", stream: null });
    const other = await t.keyFor("globex", ["admin"]);
    expect((await t.call("GET", `/v1/verification-jobs/${queued.body.id}`, { key: other })).status).toBe(404);
    expect((await t.call("GET", "/v1/verification-jobs", { key: other })).body.items).toEqual([]);
    // Leave the queue empty for the other tests' workers.
    await t.db.execute(sql`DELETE FROM jobs WHERE id = ${await t.rowId("verification-job", queued.body.id)}`);
  });

  it("refuses with 409 when the server has no labelled set", async () => {
    const bare = await createTestApp();
    try {
      const res = await bare.call("POST", "/v1/verification-jobs", {
        key: await bare.keyFor("acme", ["admin"]),
        json: {},
      });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "conflict", field: "verification" });
      expect(res.body.error.message).toContain("FACEDRIFT_VERIFICATION_PAIRS");
      expect(
        Number((await queryRows<{ n: number }>(bare.db, sql`SELECT count(*)::int AS n FROM jobs`))[0]?.n),
      ).toBe(0);
    } finally {
      await bare.close();
    }
  });

  async function streamId(name: string): Promise<number> {
    const [row] = await queryRows<{ id: string }>(
      t.db,
      sql`SELECT id::text AS id FROM streams WHERE name = ${name}`,
    );
    return Number(row?.id);
  }

  function payload(extra: Partial<VerificationJobPayload>): VerificationJobPayload {
    return {
      tenantId,
      stream: null,
      pairsFile,
      imagesDir: join(FACES, "images"),
      minAuc: 0.98,
      limit: null,
      trigger: { kind: "api", actor: "test" },
      ...extra,
    };
  }
});
