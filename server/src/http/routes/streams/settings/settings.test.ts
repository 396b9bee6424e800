import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../../db/database.ts";
import { createTestApp } from "../../../test-app.ts";

const model = { id: "m", version: "1" };

describe("stream settings API", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let admin: string;
  let read: string;
  let otherTenant: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.keyFor("acme", ["admin"]);
    read = await t.keyFor("acme", ["read"]);
    otherTenant = await t.keyFor("globex", ["admin"]);
    for (const stream of ["lobby", "gate"]) {
      await t.call("POST", `/v1/streams/${stream}/embeddings`, {
        key: admin,
        json: { model, items: [{ id: "a", ts: 1_790_000_000_001, embedding: [1, 0] }] },
      });
    }
  }, 60_000);
  afterAll(() => t.close());

  it("shows an untouched stream's schedule and nothing else set (the defaults apply)", async () => {
    const res = await t.call("GET", "/v1/streams/lobby/settings", { key: read });
    expect(res).toEqual({
      status: 200,
      body: {
        schedule: "0 2 * * *",
        windowSize: null,
        retentionDays: null,
        psiBins: null,
        checkProfile: null,
        alertRules: { calmMinutes: null, notifyFrom: null, psiPersistence: null },
      },
    });
  });

  it("changes only the fields given, keeps other stored settings, and audits it", async () => {
    await t.db.execute(sql`UPDATE streams SET settings = '{"detectorTuning": 7}' WHERE name = 'lobby'`);
    const res = await t.call("PATCH", "/v1/streams/lobby/settings", {
      key: admin,
      json: {
        schedule: "*/30 * * * *",
        retentionDays: 7,
        alertRules: { psiPersistence: { threshold: 0.1, runs: 3 } },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schedule: "*/30 * * * *",
      windowSize: null,
      retentionDays: 7,
      psiBins: null,
      checkProfile: null,
      alertRules: { calmMinutes: null, notifyFrom: null, psiPersistence: { threshold: 0.1, runs: 3 } },
    });
    const [row] = await queryRows<{ check_schedule: string; settings: Record<string, unknown> }>(
      t.db,
      sql`SELECT check_schedule, settings FROM streams WHERE name = 'lobby'`,
    );
    expect(row).toEqual({
      check_schedule: "*/30 * * * *",
      settings: {
        detectorTuning: 7,
        retentionDays: 7,
        alertRules: { calmMinutes: null, notifyFrom: null, psiPersistence: { threshold: 0.1, runs: 3 } },
      },
    });
    const cleared = await t.call("PATCH", "/v1/streams/lobby/settings", {
      key: admin,
      json: {
        schedule: null,
        retentionDays: null,
        windowSize: 500,
        checkProfile: "seed",
        alertRules: { calmMinutes: 30, notifyFrom: "info" },
      },
    });
    expect(cleared.body).toEqual({
      schedule: null,
      retentionDays: null,
      windowSize: 500,
      psiBins: null,
      checkProfile: "seed",
      alertRules: { calmMinutes: 30, notifyFrom: "info", psiPersistence: { threshold: 0.1, runs: 3 } },
    });
    expect((await t.call("GET", "/v1/streams/lobby/settings", { key: read })).body).toEqual(cleared.body);
    const audit = await queryRows<{ action: string; target: string }>(
      t.db,
      sql`SELECT action, target FROM audit_log WHERE action = 'stream.settings.update'`,
    );
    expect(audit).toHaveLength(2);
    expect(audit[0]).toEqual({ action: "stream.settings.update", target: "stream:lobby" });
  });

  it("names the bad field and writes nothing", async () => {
    const before = (await t.call("GET", "/v1/streams/lobby/settings", { key: read })).body;
    const bad = async (json: unknown, field: string) => {
      const res = await t.call("PATCH", "/v1/streams/lobby/settings", { key: admin, json });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", field } } });
    };
    await bad({ schedule: "every day", windowSize: 20 }, "schedule");
    await bad({ schedule: "0 25 * * *" }, "schedule");
    await bad({ windowSize: 5 }, "windowSize");
    await bad({ retentionDays: 0 }, "retentionDays");
    await bad(
      { alertRules: { psiPersistence: { threshold: 0.1, runs: 0 } } },
      "alertRules.psiPersistence.runs",
    );
    await bad(
      { alertRules: { psiPersistence: { threshold: -1, runs: 2 } } },
      "alertRules.psiPersistence.threshold",
    );
    await bad({ alertRules: { calmMinutes: 1.5 } }, "alertRules.calmMinutes");
    await bad({ alertRules: { notifyFrom: "loud" } }, "alertRules.notifyFrom");
    await bad({ psiBins: "quintiles" }, "psiBins");
    await bad({ checkProfile: "fast" }, "checkProfile");
    expect((await t.call("GET", "/v1/streams/lobby/settings", { key: read })).body).toEqual(before);
  });

  it("fixes the PSI bins a stream's setting names into the next reference fit", async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({
      id: `p${i}`,
      ts: 1_790_000_000_100 + i,
      embedding: [Math.sin(i * 1.7) + i / 60, Math.cos(i * 0.9)],
    }));
    await t.call("POST", "/v1/streams/gate/embeddings", { key: admin, json: { model, items } });
    const fit = () =>
      t.call("POST", "/v1/streams/gate/reference", { key: admin, json: { last: 60, options: { seed: 1 } } });
    const set = await t.call("PATCH", "/v1/streams/gate/settings", {
      key: admin,
      json: { psiBins: "uniform-50" },
    });
    expect(set.body.psiBins).toBe("uniform-50");
    expect((await fit()).status).toBe(201);
    // Clearing the setting changes nothing already fitted; the next fit is deciles again.
    await t.call("PATCH", "/v1/streams/gate/settings", { key: admin, json: { psiBins: null } });
    expect((await fit()).status).toBe(201);
    const versions = await queryRows<{ version: number; binning: unknown; edges: number }>(
      t.db,
      sql`SELECT r.version, r.profile->'psi'->0->'binning' AS binning,
            jsonb_array_length(r.profile->'psi'->0->'interiorEdges') AS edges
          FROM reference_sets r JOIN streams s ON s.id = r.stream_id WHERE s.name = 'gate' ORDER BY r.version`,
    );
    expect(versions).toEqual([
      { version: 1, binning: { kind: "uniform", bins: 50 }, edges: 49 },
      { version: 2, binning: { kind: "quantile", bins: 10 }, edges: 9 },
    ]);
  });

  it("reads a cooldown stored before incidents as the calm period", async () => {
    await t.db.execute(
      sql`UPDATE streams SET settings = '{"alertRules": {"cooldownMinutes": 45}}' WHERE name = 'gate'`,
    );
    const res = await t.call("GET", "/v1/streams/gate/settings", { key: read });
    expect(res.body.alertRules).toEqual({ calmMinutes: 45, notifyFrom: null, psiPersistence: null });
  });

  it("keeps tenants apart and needs admin to write", async () => {
    expect((await t.call("GET", "/v1/streams/lobby/settings", { key: otherTenant })).status).toBe(404);
    const foreign = await t.call("PATCH", "/v1/streams/lobby/settings", {
      key: otherTenant,
      json: { windowSize: 100 },
    });
    expect(foreign.status).toBe(404);
    const readOnly = await t.call("PATCH", "/v1/streams/lobby/settings", {
      key: read,
      json: { windowSize: 100 },
    });
    expect(readOnly.status).toBe(403);
    expect((await t.call("GET", "/v1/streams/lobby/settings")).status).toBe(401);
  });
});
