import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, DAY0, ingestAt, MODEL, synthetic } from "../../../../batch/testing/fixture.ts";
import { TEST_DRIVERS } from "../../../../db/testing/postgres-database.ts";
import { ensureTenant } from "../../../../services/tenants/default.ts";
import { createTestApp } from "../../../test-app.ts";

const day = (i: number) => ({
  from: new Date(DAY0 + i * DAY_MS).toISOString(),
  to: new Date(DAY0 + (i + 1) * DAY_MS).toISOString(),
});

describe.each(TEST_DRIVERS)(
  "reference versions and batch checks over HTTP (%s)",
  { timeout: 60_000 },
  (driver) => {
    let t: Awaited<ReturnType<typeof createTestApp>>;
    let admin: string;
    let reader: string;
    let other: string;

    beforeAll(async () => {
      t = await createTestApp({}, { over: driver === "postgres" ? "postgres" : "in-process" });
      admin = await t.keyFor("acme", ["admin"]);
      reader = await t.keyFor("acme", ["read"]);
      other = await t.keyFor("globex", ["admin"]);
      const tenantId = await ensureTenant(t.db, "acme");
      await ingestAt(t.database, tenantId, "cam", synthetic.sample(1500, 1), DAY0, "d0");
      await ingestAt(
        t.database,
        tenantId,
        "cam",
        synthetic.sample(600, 3, { latentShift: 1, noiseScale: 12 }),
        DAY0 + 2 * DAY_MS,
        "d2",
      );
      await ingestAt(t.database, tenantId, "copy", synthetic.sample(20, 4), DAY0, "c");
      await ingestAt(t.database, tenantId, "other-model", synthetic.sample(20, 5), DAY0, "o", {
        id: "other",
        version: "2",
      });
    }, 120_000);
    afterAll(() => t.close());

    const post = (path: string, json: unknown, key = admin) => t.call("POST", path, { key, json });
    const get = (path: string, key = reader) => t.call("GET", path, { key });

    it("fits version 1 from a window, active, with explained variance and calibration", async () => {
      const res = await post("/v1/streams/cam/reference", { window: day(0), options: { seed: 3 } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ version: 1, calibration: { mmdNull: expect.any(Object) } });
      const ratios: number[] = res.body.explained_variance_ratio;
      expect(ratios).toHaveLength(10);
      expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
      expect(res.body.knn_threshold).toBeGreaterThan(0);
      // No person named in the metadata: the kNN threshold is calibrated across time blocks.
      expect(res.body.calibration.knn).toMatchObject({ split: { by: "time", blocks: 10 }, queries: 1000 });
      expect(res.body.calibration.knn.threshold).toBe(res.body.knn_threshold);
      const shown = await get("/v1/streams/cam/references/1");
      expect(shown.body).toMatchObject({
        version: 1,
        active: true,
        vector_count: 1500,
        params: { seed: 3, knnSplit: { by: "time", blocks: 10 } },
      });
    });

    it("calibrates the kNN threshold across people when the embeddings name them", async () => {
      const tenantId = await ensureTenant(t.db, "acme");
      await ingestAt(t.database, tenantId, "people", synthetic.sample(20, 6), DAY0, "p");
      const x = synthetic.sample(60, 7);
      const items = Array.from({ length: 60 }, (_, i) => ({
        id: `q${i}`,
        ts: DAY0 + i,
        embedding: Array.from(x.subarray(i * 64, (i + 1) * 64)),
        metadata: { person: `person-${i % 12}` },
      }));
      const res = await post("/v1/streams/people/reference", { model: MODEL, items, options: { seed: 1 } });
      expect(res.status).toBe(201);
      expect(res.body.calibration.knn).toMatchObject({
        split: { by: "identity", field: "person", groups: 12 },
        queries: 60,
      });
      expect(res.body.knn_threshold).toBeGreaterThan(0);
    });

    it("refuses bad input naming the field, and writes nothing", async () => {
      const two = await post("/v1/streams/cam/reference", { window: day(0), last: 100 });
      expect(two).toMatchObject({ status: 400, body: { error: { field: "last" } } });
      const items = Array.from({ length: 12 }, (_, i) => ({
        id: `r${i}`,
        ts: 1_790_000_000_001,
        embedding: Array(64).fill(i + 1),
      }));
      const wrongModel = await post("/v1/streams/cam/reference", { model: { id: "x", version: "1" }, items });
      expect(wrongModel).toMatchObject({ status: 409, body: { error: { field: "model" } } });
      const wrongDim = await post("/v1/streams/cam/reference", {
        model: MODEL,
        items: [{ id: "a", ts: 1_790_000_000_001, embedding: [1, 2] }],
      });
      expect(wrongDim).toMatchObject({ status: 400, body: { error: { field: "items[0].embedding" } } });
      expect((await get("/v1/streams/cam/references")).body.references).toHaveLength(1);
      expect((await post("/v1/streams/cam/reference", { last: 100 }, reader)).status).toBe(403);
      expect((await post("/v1/streams/cam/reference", { last: 100 }, other)).status).toBe(404);
      expect((await get("/v1/streams/cam/references", other)).status).toBe(404);
    });

    it("refits as version 2 (active, version 1 kept), and activates version 1 again", async () => {
      const res = await post("/v1/streams/cam/reference", { window: day(0), options: { seed: 4 } });
      expect(res.body.version).toBe(2);
      const list = (await get("/v1/streams/cam/references")).body.references;
      expect(list.map((r: { version: number; active: boolean }) => [r.version, r.active])).toEqual([
        [2, true],
        [1, false],
      ]);
      const activated = await post("/v1/streams/cam/references/1/activate", {});
      expect(activated).toMatchObject({ status: 200, body: { version: 1, active: true } });
      expect((await get("/v1/streams/cam/references/2")).body.active).toBe(false);
      expect((await post("/v1/streams/cam/references/9/activate", {})).status).toBe(404);
    });

    it("exports a version and imports it into another stream of the model; refuses another model's file", async () => {
      const exported = await get("/v1/streams/cam/references/1/export");
      expect(exported.body).toMatchObject({ format: "facedrift.reference/1", model: MODEL, dimension: 64 });
      const imported = await post("/v1/streams/copy/references/import", exported.body);
      expect(imported).toMatchObject({ status: 201, body: { version: 1, active: true, vector_count: 1500 } });
      const original = (await get("/v1/streams/cam/references/1")).body;
      expect(imported.body.knn_threshold).toBe(original.knn_threshold);
      expect(imported.body.explained_variance_ratio).toEqual(original.explained_variance_ratio);
      const again = await get("/v1/streams/copy/references/1/export");
      expect(again.body.vectors).toEqual(exported.body.vectors);
      expect(again.body.profile).toEqual(exported.body.profile);

      const refused = await post("/v1/streams/other-model/references/import", exported.body);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain("made for model synthetic@1");
      expect((await get("/v1/streams/other-model/references")).body.references).toHaveLength(0);
      const notAFile = await post("/v1/streams/copy/references/import", { format: "x" });
      expect(notAFile).toMatchObject({ status: 400, body: { error: { field: "format" } } });

      // A profile the detectors cannot run is refused whole: nothing stored, the active one kept.
      const broken = structuredClone(exported.body);
      broken.profile.adwin.maxBuckets = 1e8;
      const refusedProfile = await post("/v1/streams/copy/references/import", broken);
      expect(refusedProfile).toMatchObject({
        status: 400,
        body: { error: { field: "profile.adwin.maxBuckets" } },
      });
      // The detail test's variance components travel with the file, and are checked like the rest.
      expect(exported.body.profile.residualLevel).toMatchObject({
        between: expect.any(Number),
        within: expect.any(Number),
        concentration: expect.any(Number),
      });
      const badLevel = structuredClone(exported.body);
      badLevel.profile.residualLevel.concentration = 3;
      expect((await post("/v1/streams/copy/references/import", badLevel)).body.error.field).toBe(
        "profile.residualLevel.concentration",
      );
      const noPca = structuredClone(exported.body);
      delete noPca.profile.pca;
      expect((await post("/v1/streams/copy/references/import", noPca)).body.error.field).toBe("profile.pca");
      const listed = (await get("/v1/streams/copy/references")).body.references;
      expect(listed.map((r: { version: number; active: boolean }) => [r.version, r.active])).toEqual([
        [1, true],
      ]);
    });

    it("runs a check now, stores it with its numbers, and lists runs newest first", async () => {
      const calm = await post("/v1/streams/cam/checks", { window: day(0) });
      expect(calm).toMatchObject({
        status: 201,
        body: { status: "succeeded", severity: "none", drift: false },
      });
      const shifted = await post("/v1/streams/cam/checks", { last: 600, kind: "weekly" });
      expect(shifted).toMatchObject({ status: 201, body: { kind: "weekly", severity: "high", drift: true } });
      expect(shifted.body.results.mmd.pValue).toBeLessThan(0.05);
      expect(shifted.body.results.novelty.rate).toBeGreaterThan(calm.body.results.novelty.rate);
      const runs = await get("/v1/streams/cam/runs?limit=1");
      expect(runs.body.runs.map((r: { id: number }) => r.id)).toEqual([shifted.body.id]);
      const next = await get(`/v1/streams/cam/runs?before_id=${runs.body.nextBeforeId}`);
      expect(next.body.runs.map((r: { id: number }) => r.id)).toEqual([calm.body.id]);
      expect((await post("/v1/streams/other-model/checks", {})).status).toBe(409);
      expect((await post("/v1/streams/cam/checks", { last: 1 })).body.error.field).toBe("last");
      expect((await get("/v1/streams/cam/runs", other)).status).toBe(404);
    });
  },
);

describe("reference files and the body limit", { timeout: 60_000 }, () => {
  it("takes a reference file larger than the API body limit, up to its own limit", async () => {
    const t = await createTestApp({ maxBodyBytes: 64 * 1024, maxReferenceFileBytes: 4 * 1024 * 1024 });
    try {
      const admin = await t.keyFor("acme", ["admin"]);
      const tenantId = await ensureTenant(t.db, "acme");
      await ingestAt(t.database, tenantId, "cam", synthetic.sample(400, 1), DAY0, "a");
      await ingestAt(t.database, tenantId, "copy", synthetic.sample(5, 2), DAY0, "b");
      expect(
        (await t.call("POST", "/v1/streams/cam/reference", { key: admin, json: { last: 400 } })).status,
      ).toBe(201);
      const file = (await t.call("GET", "/v1/streams/cam/references/1/export", { key: admin })).body;
      const size = JSON.stringify(file).length;
      expect(size).toBeGreaterThan(64 * 1024);
      // The same bytes on another route are over the API limit…
      const elsewhere = await t.call("POST", "/v1/streams/cam/checks", { key: admin, json: { pad: file } });
      expect(elsewhere.status).toBe(413);
      // …but a reference file has its own.
      const imported = await t.call("POST", "/v1/streams/copy/references/import", { key: admin, json: file });
      expect(imported).toMatchObject({ status: 201, body: { version: 1 } });

      const strict = await createTestApp({ maxReferenceFileBytes: size - 1 });
      try {
        const key = await strict.keyFor("acme", ["admin"]);
        await ingestAt(
          strict.database,
          await ensureTenant(strict.db, "acme"),
          "copy",
          synthetic.sample(5, 3),
          DAY0,
          "c",
        );
        const refused = await strict.call("POST", "/v1/streams/copy/references/import", { key, json: file });
        expect(refused).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
        expect(
          (await strict.call("GET", "/v1/streams/copy/references", { key })).body.references,
        ).toHaveLength(0);
      } finally {
        await strict.close();
      }
    } finally {
      await t.close();
    }
  });
});
