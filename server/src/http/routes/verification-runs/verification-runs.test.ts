import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../db/database.ts";
import { verificationRuns } from "../../../db/schema/verification-run.ts";
import { ensureTenant } from "../../../services/tenants/default.ts";
import { createTestApp } from "../../test-app.ts";

describe("GET /v1/verification-runs", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let read: string;
  let ingestOnly: string;
  let otherTenant: string;

  beforeAll(async () => {
    t = await createTestApp();
    read = await t.keyFor("acme", ["read"]);
    ingestOnly = await t.keyFor("acme", ["ingest"]);
    otherTenant = await t.keyFor("globex", ["read"]);
    await t.call("POST", "/v1/streams/lobby/embeddings", {
      key: ingestOnly,
      json: {
        model: { id: "m", version: "1" },
        items: [{ id: "a", ts: 1_790_000_000_001, embedding: [1, 0] }],
      },
    });
    const [lobby] = await queryRows<{ id: number }>(t.db, sql`SELECT id::int AS id FROM streams`);
    const acme = await ensureTenant(t.db, "acme");
    const globex = await ensureTenant(t.db, "globex");
    const run = (tenantId: number, auc: number, streamId: number | null, modelId: string, at: string) => ({
      tenantId,
      streamId,
      modelId,
      modelVersion: "1",
      pairs: 20,
      auc,
      eer: 1 - auc,
      tarAtFar: { "0.001": auc - 0.1, "0.01": auc - 0.05 },
      details: { pairsTotal: 21 },
      skipped: [{ left: "a/a_1.jpg", right: "b/b_1.jpg", reason: "right: no face" }],
      createdAt: new Date(at),
    });
    await t.db
      .insert(verificationRuns)
      .values([
        run(acme, 0.99, null, "faceapi-recognition128", "2026-11-20T10:00:00Z"),
        run(acme, 0.97, lobby?.id ?? null, "faceapi-recognition128", "2026-11-21T10:00:00Z"),
        run(acme, 0.995, lobby?.id ?? null, "faceplugin-feature512", "2026-11-22T10:00:00Z"),
        run(globex, 0.5, null, "faceapi-recognition128", "2026-11-23T10:00:00Z"),
      ]);
    // PGlite's start and migrations take seconds on a loaded machine.
  }, 60_000);
  afterAll(() => t?.close());

  it("lists the tenant's runs newest first with every number, in pages", async () => {
    const first = await t.call("GET", "/v1/verification-runs?limit=2", { key: read });
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { auc: number }) => r.auc)).toEqual([0.995, 0.97]);
    expect(first.body.items[0]).toMatchObject({
      stream: "lobby",
      model: { id: "faceplugin-feature512", version: "1" },
      pairs: 20,
      eer: expect.closeTo(0.005, 12),
      tarAtFar: { "0.001": expect.closeTo(0.895, 12), "0.01": expect.closeTo(0.945, 12) },
      skipped: [{ left: "a/a_1.jpg", right: "b/b_1.jpg", reason: "right: no face" }],
      details: { pairsTotal: 21 },
      createdAt: "2026-11-22T10:00:00.000Z",
    });
    const second = await t.call("GET", `/v1/verification-runs?limit=2&before=${first.body.nextBefore}`, {
      key: read,
    });
    expect(second.body.items.map((r: { auc: number; stream: string | null }) => [r.auc, r.stream])).toEqual([
      [0.99, null],
    ]);
    expect(second.body.nextBefore).toBeNull();
  });

  it("filters by stream, model and time, and never shows another tenant's runs", async () => {
    const aucs = async (query: string, key = read) =>
      (await t.call("GET", `/v1/verification-runs${query}`, { key })).body.items.map(
        (r: { auc: number }) => r.auc,
      );
    expect(await aucs("?stream=lobby")).toEqual([0.995, 0.97]);
    expect(await aucs("?model=faceapi-recognition128")).toEqual([0.97, 0.99]);
    expect(await aucs("?from=2026-11-21T00:00:00Z&to=2026-11-21T23:59:59Z")).toEqual([0.97]);
    expect(await aucs("", otherTenant)).toEqual([0.5]);
  });

  it("needs the read scope and names a bad query field", async () => {
    expect((await t.call("GET", "/v1/verification-runs")).status).toBe(401);
    expect((await t.call("GET", "/v1/verification-runs", { key: ingestOnly })).status).toBe(403);
    const bad = await t.call("GET", "/v1/verification-runs?limit=0", { key: read });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("limit");
  });
});
