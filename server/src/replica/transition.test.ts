/**
 * The replica during a stream's model transition, on PGlite with a scripted stand-in for the page
 * (the real page is `e2e/replica.e2e.test.ts`): each image goes to the current model's track and,
 * for the candidate's sampling share, embedded again to the candidate's, under the same id; after
 * promotion, images are embedded with the promoted model only.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FACE_API_RECOGNITION128, FACEPLUGIN_FEATURE512 } from "@facedrift/models/registry";
import { inSamplingShare } from "@facedrift/models/sampling";
import { sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { publicIdsOf } from "../ids/public-ids.ts";
import { LocalImageStore } from "../images/local-store.ts";
import { uploadImages } from "../images/upload.ts";
import { ingestEmbeddings } from "../services/embeddings/ingest.ts";
import { fitReference } from "../services/references/fit.ts";
import { promoteCandidate, setCandidate } from "../services/stream-models/transition.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import type { ImageEmbedder, PageAgainResult, PageImageResult } from "./chromium.ts";
import { ReplicaWorker } from "./worker.ts";

const OLD = { id: FACE_API_RECOGNITION128.id, version: FACE_API_RECOGNITION128.version, dimension: 128 };
const NEW = { id: FACEPLUGIN_FEATURE512.id, version: FACEPLUGIN_FEATURE512.version, dimension: 512 };
const unit = (dimension: number, seed: number) => {
  const v = Array.from({ length: dimension }, (_, i) => Math.sin(seed * 7.1 + i * 0.37));
  const norm = Math.hypot(...v);
  return v.map((x) => Math.fround(x / norm));
};
const box = { x: 0, y: 0, width: 8, height: 8 };

describe("the replica during a model transition", { timeout: 120_000 }, () => {
  let database: Database;
  let dir: string;
  let tenantId: number;
  let images: Uint8Array[];
  let againCalls: string[] = [];

  /** A page that embeds with the default 128-D model and, asked again, with the 512-D one. */
  const page: ImageEmbedder = {
    loaded: { engines: [], embedder: OLD, others: [NEW], loadMs: 0 },
    async embed(bytes): Promise<PageImageResult> {
      const seed = createHash("sha256").update(bytes).digest()[0] as number;
      return {
        ok: true,
        width: 8,
        height: 8,
        detected: 1,
        faces: [{ box, score: 0.9, quality: { blur: 1 }, embedding: unit(128, seed) }],
        engines: [{ runtime: "test", backend: "cpu" }],
        totalMs: 1,
      };
    },
    async again(model): Promise<PageAgainResult> {
      againCalls.push(`${model.id}@${model.version}`);
      return {
        ok: true,
        embedder: NEW,
        face: { box, score: 0.9, quality: {}, embedding: unit(512, againCalls.length) },
        totalMs: 1,
      };
    },
    close: async () => {},
  };

  const runBatch = async () => {
    const store = new LocalImageStore(dir);
    const { batchId } = await uploadImages(database, store, {
      tenantId,
      stream: "door",
      faces: "largest",
      files: images.map((bytes, i) => ({ name: `${i}.png`, bytes })),
      limits: { maxFiles: 10, maxFileBytes: 1_000_000, maxPixels: 1_000_000 },
    });
    const worker = new ReplicaWorker({
      database,
      store,
      openEmbedder: async () => page,
      owner: "r1",
      imageRetentionHours: 0,
    });
    expect(await worker.runOnce()).toBe(true);
    await worker.stop();
    return batchId;
  };
  /** The batch's embeddings: their ids start with the batch's public id (as its client knows it). */
  const rows = async (batchId: number) =>
    queryRows<{ stream: string; id: string; model: string; dimension: number }>(
      database.db,
      sql`SELECT s.name AS stream, e.client_id AS id, e.model_id || '@' || e.model_version AS model,
            e.dimension::int AS dimension
          FROM embeddings e JOIN streams s ON s.id = e.stream_id
          WHERE e.client_id LIKE ${`${(await publicIdsOf(database.db)).encode("image-job", batchId)}:%`}
          ORDER BY s.name, e.seq`,
    );

  beforeAll(async () => {
    database = await openPglite();
    await migrateDatabase(database);
    tenantId = await ensureTenant(database.db, "acme");
    dir = mkdtempSync(join(tmpdir(), "facedrift-replica-transition-"));
    images = await Promise.all(
      ["#102030", "#405060", "#708090", "#a0b0c0", "#c0d0e0", "#e0f0ff"].map(
        async (background) =>
          new Uint8Array(
            await sharp({ create: { width: 8, height: 8, channels: 3, background } })
              .png()
              .toBuffer(),
          ),
      ),
    );
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("embeds with the current model alone before a transition", async () => {
    const batchId = await runBatch();
    expect((await rows(batchId)).map((r) => r.stream)).toEqual(Array(6).fill("door"));
    expect(againCalls).toEqual([]);
  });

  it("embeds the candidate's share again, into the candidate's track under the same ids", async () => {
    await setCandidate(database, {
      tenantId,
      stream: "door",
      model: NEW,
      dimension: 512,
      samplingShare: 0.5,
      actor: "test",
    });
    const batchId = await runBatch();
    const stored = await rows(batchId);
    const current = stored.filter((r) => r.stream === "door");
    const candidate = stored.filter((r) => r.stream === `door~${NEW.id}@${NEW.version}`);
    expect(current).toHaveLength(6);
    expect(current.every((r) => r.dimension === 128)).toBe(true);
    // Exactly the ids the shared sampling rule picks (the capture station uses the same rule).
    expect(candidate.map((r) => r.id).sort()).toEqual(
      current
        .map((r) => r.id)
        .filter((id) => inSamplingShare(id, 0.5))
        .sort(),
    );
    expect(candidate.every((r) => r.dimension === 512 && r.model === `${NEW.id}@${NEW.version}`)).toBe(true);
    expect(againCalls).toHaveLength(candidate.length);
    // The share picks some, not all (fixed ids: batch 2 of a fresh database, fixed images).
    expect(candidate.length).toBeGreaterThan(0);
    expect(candidate.length).toBeLessThan(6);
  });

  it("after promotion, embeds with the promoted model only", async () => {
    const track = `door~${NEW.id}@${NEW.version}`;
    await ingestEmbeddings(database, {
      tenantId,
      stream: track,
      model: NEW,
      items: Array.from({ length: 40 }, (_, i) => ({
        id: `seed-${i}`,
        ts: Date.now() - 60_000 + i,
        embedding: unit(512, 100 + i),
      })),
    });
    await fitReference(database, { tenantId, stream: track, source: { last: 40 } });
    await promoteCandidate(database, { tenantId, stream: "door", actor: "test" });
    againCalls = [];
    const batchId = await runBatch();
    const stored = await rows(batchId);
    expect(stored.map((r) => [r.stream, r.dimension])).toEqual(Array(6).fill(["door", 512]));
    expect(againCalls).toHaveLength(6);
  });
});
