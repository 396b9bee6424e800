/**
 * Faces lost on uploaded images: batches whose photos the replica recorded (as its process-batch
 * does: `embedded`, `no_face`, `several_faces`, `failed`), then the check the replica runs after
 * each batch. A batch that loses most faces opens an input incident with its cost; one with the
 * stream's usual share of faceless photos, or one with nothing to compare with yet, does not.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL } from "../batch/testing/fixture.ts";
import { queryRows } from "../db/database.ts";
import { TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { createTestApp } from "../http/test-app.ts";
import { checkFaceLoss } from "./face-loss.ts";

describe.each(TEST_DRIVERS)("faces lost on image batches (%s)", { timeout: 120_000 }, (driver) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let tenantId: number;
  beforeAll(async () => {
    t = await createTestApp({}, { over: driver === "postgres" ? "postgres" : "in-process" });
    const key = await t.keyFor("acme", ["ingest"]);
    const res = await t.call("POST", "/v1/streams/door/embeddings", {
      key,
      json: { model: MODEL, items: [{ id: "a", ts: Date.parse("2026-12-01T08:00:00Z"), embedding: [1, 0] }] },
    });
    expect(res.status).toBe(200);
    const [row] = await queryRows<{ tenant_id: number }>(
      t.db,
      sql`SELECT tenant_id FROM streams WHERE name = 'door'`,
    );
    tenantId = Number(row?.tenant_id);
  }, 120_000);
  afterAll(() => t?.close());

  /** A finished batch of `photos` photos on `stream`, `lost` of them without a face, 2 undecodable. */
  async function batch(stream: string, photos: number, lost: number): Promise<number> {
    const [b] = await queryRows<{ id: number }>(
      t.db,
      sql`INSERT INTO image_batches (tenant_id, stream, status, file_count, finished_at)
          VALUES (${tenantId}, ${stream}, 'succeeded', ${photos + 2}, now()) RETURNING id`,
    );
    const id = Number(b?.id);
    for (let i = 0; i < photos + 2; i++) {
      const status =
        i >= photos ? "failed" : i < lost ? "no_face" : i % 10 === 9 ? "several_faces" : "embedded";
      await t.db.execute(
        sql`INSERT INTO image_files (tenant_id, batch_id, position, filename, media_type, bytes, sha256, width, height, status, processed_at)
            VALUES (${tenantId}, ${id}, ${i}, ${`p${i}.jpg`}, 'image/jpeg', 1000, ${`${id}-${i}`}, 100, 100, ${status}, now())`,
      );
    }
    return id;
  }
  const incidents = () =>
    queryRows<{ severity: string; category: string; detectors: string[] }>(
      t.db,
      sql`SELECT i.severity, i.category, i.detectors FROM incidents i JOIN streams s ON s.id = i.stream_id
          WHERE s.name = 'door'`,
    );

  it("waits for a baseline, stays quiet on the usual share, and opens an input incident when faces are lost", async () => {
    const first = await checkFaceLoss(t.database, await batch("door", 60, 2));
    expect(first.result).toMatchObject({
      fired: false,
      note: expect.stringContaining("needs 100 earlier photos"),
    });
    await batch("door", 120, 3);
    const usual = await checkFaceLoss(t.database, await batch("door", 80, 3));
    expect(usual.result).toMatchObject({ fired: false, before: { photos: 180, lost: 5 } });
    expect(await incidents()).toEqual([]);

    const lostBatch = await batch("door", 80, 70);
    const lost = await checkFaceLoss(t.database, lostBatch);
    expect(lost.result).toMatchObject({ fired: true, now: { photos: 80, lost: 70 } });
    expect(lost.result?.predictedDeltaAuc).toBeGreaterThan(0.8);
    expect(lost.notifications.map((n) => n.transition)).toEqual(["opened"]);
    expect(await incidents()).toEqual([
      { severity: "critical", category: "input", detectors: ["faces-lost"] },
    ]);
    const [alert] = await queryRows<{ title: string }>(
      t.db,
      sql`SELECT payload->>'title' AS title FROM alerts ORDER BY id DESC LIMIT 1`,
    );
    // The batch is named as the API names its job (`job.id`, an opaque public id), never by its
    // row id, which would tell a reader how many uploads the server has had (SECURITY.md).
    const job = await t.publicId("image-job", lostBatch);
    expect(alert?.title).toMatch(
      new RegExp(`^Faces lost on door: image job ${job} found no face in 70 of 80 photos`),
    );
    const key = await t.keyFor("acme", ["read"]);
    const res = await t.call("GET", "/v1/alerts?stream=door", { key });
    expect(res.status).toBe(200);
    const [finding] = res.body.items as { payload: { imageJobId: number } }[];
    expect(finding?.payload.imageJobId).toBe(job);
    expect(JSON.stringify(finding)).not.toContain(`"imageBatchId"`);
  });

  it("checks nothing for a batch whose stream has no embeddings yet", async () => {
    expect(await checkFaceLoss(t.database, await batch("new-camera", 50, 50))).toEqual({
      result: null,
      notifications: [],
    });
  });
});
