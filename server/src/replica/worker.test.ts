/**
 * The replica loop against a real (in-memory) PGlite and a local image store, with a scripted
 * stand-in for the browser page: the journey with real Chromium is `e2e/replica.e2e.test.ts`;
 * here the cases it cannot stage cheaply — a crash between ingesting and recording, a lease lost
 * mid-batch, a batch failing on every attempt, images kept for a retention period.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { imageBatches } from "../db/schema/image-batch.ts";
import { imageFiles } from "../db/schema/image-file.ts";
import { publicIdsOf } from "../ids/public-ids.ts";
import { LocalImageStore } from "../images/local-store.ts";
import type { ImageStore } from "../images/store.ts";
import { uploadImages } from "../images/upload.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import type { ImageEmbedder, PageImageResult } from "./chromium.ts";
import { serveReplicaHealth } from "./health-server.ts";
import { deleteExpiredImages } from "./image-retention.ts";
import { ReplicaWorker } from "./worker.ts";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const face = (seed: number): Extract<PageImageResult, { ok: true }> => ({
  ok: true,
  width: 8,
  height: 8,
  detected: 1,
  faces: [{ box: { x: 0, y: 0, width: 8, height: 8 }, score: 0.9, quality: {}, embedding: [seed, 1, 0, 0] }],
  engines: [{ runtime: "test", backend: "cpu" }],
  totalMs: 1,
});

describe("ReplicaWorker", () => {
  let database: Database;
  let dir: string;
  let store: ImageStore;
  let tenantId: number;
  let images: Uint8Array[];

  // One database for the file (migrating is the slow part); each test has its own batch and store.
  beforeAll(async () => {
    database = await openPglite();
    await migrateDatabase(database);
    tenantId = await ensureTenant(database.db, "acme");
  }, 60_000);
  afterAll(() => database.close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "facedrift-replica-"));
    store = new LocalImageStore(dir);
    images = await Promise.all(
      ["#102030", "#405060", "#708090"].map(
        async (background) =>
          new Uint8Array(
            await sharp({ create: { width: 8, height: 8, channels: 3, background } })
              .png()
              .toBuffer(),
          ),
      ),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A page that answers from a script keyed by the image's SHA-256, and may act before answering. */
  const scripted = (answers: Map<string, PageImageResult>, before?: (call: number) => Promise<void>) => {
    let calls = 0;
    const embedder: ImageEmbedder = {
      loaded: { engines: [], embedder: { id: "test-embedder", version: "1", dimension: 4 }, loadMs: 0 },
      async embed(bytes) {
        await before?.(++calls);
        const answer = answers.get(sha(bytes));
        if (!answer) throw new Error("unscripted image");
        return answer;
      },
      close: async () => {},
    };
    return embedder;
  };
  const replica = (embedder: ImageEmbedder, imageRetentionHours = 0) =>
    new ReplicaWorker({
      database,
      store,
      openEmbedder: async () => embedder,
      owner: "r1",
      imageRetentionHours,
    });
  // Each upload to a stream of its own: the stand-in page's 4-D "test-embedder" is not the model an
  // upload to an existing stream is checked against (`images/embedder.ts`).
  let uploads = 0;
  const upload = async (stream = `lobby-${++uploads}`) => {
    const { batchId } = await uploadImages(database, store, {
      tenantId,
      stream,
      faces: "largest",
      files: images.map((bytes, i) => ({ name: `${i}.png`, bytes })),
      limits: { maxFiles: 10, maxFileBytes: 1_000_000, maxPixels: 1_000_000 },
    });
    const [batch] = await database.db.select().from(imageBatches).where(eq(imageBatches.id, batchId));
    return { batchId, jobId: batch?.jobId as number };
  };
  const files = (batchId: number) =>
    database.db.select().from(imageFiles).where(eq(imageFiles.batchId, batchId)).orderBy(imageFiles.position);
  /** The batch's public id: what its embeddings' ids start with. */
  const jobOf = async (batchId: number) => (await publicIdsOf(database.db)).encode("image-job", batchId);
  const embeddingIds = async (batchId: number) =>
    (
      await queryRows<{ id: string }>(
        database.db,
        sql`SELECT client_id AS id FROM embeddings WHERE client_id LIKE ${`${await jobOf(batchId)}:%`} ORDER BY seq`,
      )
    ).map((row) => row.id);
  const script = () =>
    new Map<string, PageImageResult>([
      [sha(images[0] as Uint8Array), face(1)],
      [sha(images[1] as Uint8Array), { ...face(2), detected: 0, faces: [] }],
      [sha(images[2] as Uint8Array), { ok: false, stage: "decode", message: "bad pixels" }],
    ]);

  it("hands the page groups of batchSize files and records each file's result as one at a time would", async () => {
    const { batchId } = await upload();
    const answers = script();
    const groups: number[] = [];
    const embedder: ImageEmbedder = {
      ...scripted(answers),
      async embed() {
        throw new Error("a page that batches is not called one file at a time");
      },
      async embedBatch(list, batchSize) {
        expect(batchSize).toBe(2);
        groups.push(list.length);
        return list.map(({ bytes }, index) => {
          const answer = answers.get(sha(bytes));
          if (!answer) throw new Error("unscripted image");
          return answer.ok ? { ...answer, batch: { index, size: list.length } } : answer;
        });
      },
    };
    const worker = new ReplicaWorker({
      database,
      store,
      openEmbedder: async () => embedder,
      owner: "r1",
      imageRetentionHours: 0,
      batchSize: 2,
    });
    expect(await worker.runOnce()).toBe(true);
    expect(groups).toEqual([2, 1]);
    const results = await files(batchId);
    expect(results.map(({ status, reason }) => [status, reason])).toEqual([
      ["embedded", null],
      ["no_face", "no face found"],
      ["failed", "the browser could not decode the image: bad pixels"],
    ]);
    expect(results[0]?.details).toMatchObject({ batch: 2 });
    expect(await embeddingIds(batchId)).toEqual([`${await jobOf(batchId)}:${sha(images[0] as Uint8Array)}`]);
  });

  it("records each file's result, and a file re-run after a crash is ingested once", async () => {
    const { batchId, jobId } = await upload();
    expect(await replica(scripted(script())).runOnce()).toBe(true);
    const results = await files(batchId);
    expect(results.map(({ status, reason }) => [status, reason])).toEqual([
      ["embedded", null],
      ["no_face", "no face found"],
      ["failed", "the browser could not decode the image: bad pixels"],
    ]);
    expect(await embeddingIds(batchId)).toEqual([`${await jobOf(batchId)}:${sha(images[0] as Uint8Array)}`]);
    // Retention 0: the images are gone as soon as the job is done.
    expect(readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);

    // As if a replica died after ingesting file 0 but before recording it: the file is pending
    // again (its image kept) and the job queued. The re-run stores no second row.
    await store.put("again", images[0] as Uint8Array, "image/png");
    await database.db
      .update(imageFiles)
      .set({ status: "pending", objectKey: "again" })
      .where(eq(imageFiles.id, results[0]?.id as number));
    await database.db.execute(sql`UPDATE jobs SET status = 'queued', run_after = now() WHERE id = ${jobId}`);
    expect(await replica(scripted(script())).runOnce()).toBe(true);
    expect((await files(batchId))[0]?.status).toBe("embedded");
    expect(await embeddingIds(batchId)).toHaveLength(1);
  });

  it("stops at the next file when another replica has taken the job over", async () => {
    const { batchId, jobId } = await upload();
    const stealing = scripted(script(), async (call) => {
      if (call === 1) await database.db.execute(sql`UPDATE jobs SET lease_owner = 'r2' WHERE id = ${jobId}`);
    });
    await replica(stealing).runOnce();
    expect((await files(batchId)).map((file) => file.status)).toEqual(["embedded", "pending", "pending"]);
    const [batch] = await database.db.select().from(imageBatches).where(eq(imageBatches.id, batchId));
    expect(batch?.status).toBe("running");
    // Out of the way of the next tests: "r2" finished it.
    await database.db.execute(sql`UPDATE jobs SET status = 'succeeded' WHERE id = ${jobId}`);
  });

  it("retries a failing batch, then fails it after the last attempt with the reason", async () => {
    const { batchId, jobId } = await upload();
    const broken = scripted(new Map()); // every image is "unscripted": embed throws
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await replica(broken).runOnce()).toBe(true);
      await database.db.execute(sql`UPDATE jobs SET run_after = now() WHERE id = ${jobId}`);
    }
    expect(await replica(broken).runOnce()).toBe(false);
    const [batch] = await database.db.select().from(imageBatches).where(eq(imageBatches.id, batchId));
    expect(batch).toMatchObject({ status: "failed", error: "unscripted image" });
    expect(batch?.imagesDeletedAt).not.toBeNull();
    // No file is left pending under a failed job: each says why.
    expect((await files(batchId)).map(({ status, reason }) => [status, reason])).toEqual(
      Array(3).fill(["failed", "not processed: unscripted image"]),
    );
  });

  it("shows a retry's reason on the batch while it waits for its next attempt", async () => {
    const { batchId, jobId } = await upload();
    expect(await replica(scripted(new Map())).runOnce()).toBe(true);
    const [batch] = await database.db.select().from(imageBatches).where(eq(imageBatches.id, batchId));
    expect(batch).toMatchObject({ status: "queued", error: "attempt 1 failed, retrying: unscripted image" });
    await database.db.execute(sql`UPDATE jobs SET status = 'succeeded' WHERE id = ${jobId}`);
  });

  it("fails a batch at once, every file with the reason, when the stream refuses its embeddings", async () => {
    // The stream was made by someone else's vectors (another model) after the upload was accepted.
    const stream = "made-meanwhile";
    const { batchId } = await upload(stream);
    await ingestEmbeddings(database, {
      tenantId,
      stream,
      model: { id: "faceplugin-fr", version: "1" },
      items: [{ id: "x", ts: Date.now(), embedding: [0.1, 0.2, 0.3] }],
    });
    expect(await replica(scripted(script())).runOnce()).toBe(true);
    const [batch] = await database.db.select().from(imageBatches).where(eq(imageBatches.id, batchId));
    expect(batch?.status).toBe("failed");
    expect(batch?.error).toMatch(/faceplugin-fr/);
    const results = await files(batchId);
    expect(results.every((file) => file.status === "failed" && /faceplugin-fr/.test(file.reason ?? ""))).toBe(
      true,
    );
    // Not retried: there is no attempt left to make.
    expect(await replica(scripted(script())).runOnce()).toBe(false);
  });

  it("with browserWhenNeeded, opens no browser until there is a job", async () => {
    let opened = 0;
    const lazy = new ReplicaWorker({
      database,
      store,
      openEmbedder: async () => {
        opened++;
        return scripted(script());
      },
      owner: "r1",
      imageRetentionHours: 0,
      browserWhenNeeded: true,
    });
    expect(await lazy.runOnce()).toBe(false);
    expect(opened).toBe(0);
    await upload();
    expect(await lazy.runOnce()).toBe(true);
    expect(opened).toBe(1);
  });

  it("fails a batch whose replica died on every attempt, and deletes its images", async () => {
    const { batchId, jobId } = await upload();
    // As a replica killed on its fifth attempt leaves it: running, lease run out, attempts used up.
    await database.db.execute(
      sql`UPDATE jobs SET status = 'running', attempts = max_attempts, lease_owner = 'dead',
            lease_until = now() - interval '1 second' WHERE id = ${jobId}`,
    );
    expect(await replica(scripted(script())).runOnce()).toBe(false);
    const [batch] = await database.db.select().from(imageBatches).where(eq(imageBatches.id, batchId));
    expect(batch).toMatchObject({ status: "failed", error: expect.stringMatching(/every attempt/) });
    expect(batch?.imagesDeletedAt).not.toBeNull();
  });

  it("keeps the images for the retention period, then deletes them", async () => {
    const { batchId } = await upload();
    await replica(scripted(script()), 2).runOnce();
    const stored = () => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(stored()).toHaveLength(3);
    expect(await deleteExpiredImages(database, store, new Date(Date.now() + 3_600_000))).toBe(0);
    expect(await deleteExpiredImages(database, store, new Date(Date.now() + 2 * 3_600_000 + 60_000))).toBe(3);
    expect(stored()).toEqual([]);
    expect((await files(batchId)).every((file) => file.objectKey === null)).toBe(true);
  });

  it("answers its probes: live while the loop turns, ready once the page is open and polls succeed", async () => {
    let clock = 0;
    let openPage: (() => void) | undefined;
    let release: (() => void) | undefined;
    const hang = new Promise<void>((resolve) => {
      release = resolve;
    });
    let hanging = false;
    const page = scripted(script(), async (call) => {
      if (call !== 1) return;
      hanging = true;
      await hang;
    });
    let failOpen = true;
    const worker = new ReplicaWorker({
      database,
      store,
      owner: "probed",
      imageRetentionHours: 0,
      pollMs: 10,
      stallMs: 60_000,
      now: () => clock,
      openEmbedder: async () => {
        // First the browser fails to start, then it takes a while, then it is up.
        if (failOpen) {
          failOpen = false;
          throw new Error("chromium: no such file");
        }
        await new Promise<void>((resolve) => {
          openPage = resolve;
        });
        return page;
      },
    });
    const probes = await serveReplicaHealth(() => worker.health(), { port: 0, host: "127.0.0.1" });
    const probe = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${probes.port}${path}`);
      return { status: res.status, body: (await res.json()) as { reason?: string } };
    };
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await check()).toBe(true);
    };
    try {
      expect((await probe("/healthz")).status).toBe(503);
      expect((await probe("/metrics")).status).toBe(404);
      worker.start();
      // The failed start is a poll error: live (restarting would not help), not ready.
      await until(async () => openPage !== undefined);
      expect((await probe("/healthz")).status).toBe(200);
      expect(await probe("/readyz")).toMatchObject({
        status: 503,
        body: { reason: expect.stringContaining("chromium: no such file") },
      });
      openPage?.();
      await until(async () => (await probe("/readyz")).status === 200);

      // A page hung on an image: no poll ends and no image is answered, so the stall shows.
      const { batchId } = await upload();
      await until(async () => hanging);
      clock += 61_000;
      expect(await probe("/healthz")).toMatchObject({
        status: 503,
        body: { reason: "no poll or embedded image for 61 s" },
      });
      expect((await probe("/readyz")).status).toBe(503);
      release?.();
      await until(async () => (await probe("/healthz")).status === 200);
      await until(async () => (await files(batchId)).every((f) => f.status !== "pending"));
    } finally {
      release?.();
      await worker.stop();
      await probes.close();
    }
    expect(
      (await fetch(`http://127.0.0.1:${probes.port}/healthz`).catch(() => null))?.status,
    ).toBeUndefined();
  });
});
