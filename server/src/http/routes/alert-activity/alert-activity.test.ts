import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../db/database.ts";
import { createTestApp } from "../../test-app.ts";

const model = { id: "m", version: "1" };

describe("GET /v1/alert-activity", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    t = await createTestApp();
    acme = await t.keyFor("acme", ["admin"]);
    globex = await t.keyFor("globex", ["admin"]);
    for (const [key, stream] of [
      [acme, "lobby"],
      [acme, "gate"],
      [globex, "lobby"],
    ] as const) {
      await t.call("POST", `/v1/streams/${stream}/embeddings`, {
        key,
        json: { model, items: [{ id: "a", ts: 1_790_000_000_001, embedding: [1, 0] }] },
      });
    }
    // Findings at known times: two on 3 Nov 10:xx (warning, critical), one at 12:59 (info), one
    // the next day, one on another stream, one of another tenant; two incidents opened.
    await t.db.execute(sql`
      WITH s AS (SELECT s.id, s.tenant_id, s.name, t.name AS tenant FROM streams s JOIN tenants t ON t.id = s.tenant_id)
      INSERT INTO alerts (tenant_id, stream_id, detector, severity, created_at)
      SELECT tenant_id, id, 'batch', sev, at::timestamptz FROM s JOIN (VALUES
        ('acme', 'lobby', 'warning', '2026-11-03T10:05:00Z'),
        ('acme', 'lobby', 'critical', '2026-11-03T10:55:00Z'),
        ('acme', 'lobby', 'info', '2026-11-03T12:59:59Z'),
        ('acme', 'lobby', 'warning', '2026-11-04T00:00:00Z'),
        ('acme', 'gate', 'critical', '2026-11-03T10:30:00Z'),
        ('globex', 'lobby', 'critical', '2026-11-03T10:30:00Z')
      ) v(tenant, stream, sev, at) ON v.tenant = s.tenant AND v.stream = s.name`);
    await t.db.execute(sql`
      INSERT INTO incidents (tenant_id, stream_id, severity, window_from, window_to, opened_at)
      SELECT s.tenant_id, s.id, 'warning', now(), now(), v.at::timestamptz
      FROM streams s JOIN tenants t ON t.id = s.tenant_id
      JOIN (VALUES ('lobby', '2026-11-03T10:05:00Z'), ('gate', '2026-11-03T10:30:00Z')) v(stream, at)
        ON v.stream = s.name WHERE t.name = 'acme'`);
  }, 60_000);
  afterAll(() => t.close());

  const get = (query: string, key = acme) => t.call("GET", `/v1/alert-activity?${query}`, { key });

  it("counts findings by severity and incidents opened per hour, zeros included", async () => {
    const res = await get("bucket=hour&from=2026-11-03T09:30:00Z&to=2026-11-03T13:00:00Z");
    expect(res.status).toBe(200);
    expect(res.body.from).toBe("2026-11-03T09:00:00.000Z");
    expect(res.body.to).toBe("2026-11-03T14:00:00.000Z");
    expect(res.body.bars).toEqual([
      {
        start: "2026-11-03T09:00:00.000Z",
        findings: { info: 0, warning: 0, critical: 0 },
        incidentsOpened: 0,
      },
      {
        start: "2026-11-03T10:00:00.000Z",
        findings: { info: 0, warning: 1, critical: 2 },
        incidentsOpened: 2,
      },
      {
        start: "2026-11-03T11:00:00.000Z",
        findings: { info: 0, warning: 0, critical: 0 },
        incidentsOpened: 0,
      },
      {
        start: "2026-11-03T12:00:00.000Z",
        findings: { info: 1, warning: 0, critical: 0 },
        incidentsOpened: 0,
      },
      {
        start: "2026-11-03T13:00:00.000Z",
        findings: { info: 0, warning: 0, critical: 0 },
        incidentsOpened: 0,
      },
    ]);
  });

  it("counts per day, for one stream, and never another tenant's", async () => {
    const res = await get("bucket=day&from=2026-11-03T00:00:00Z&to=2026-11-04T23:00:00Z&stream=lobby");
    expect(
      res.body.bars.map((b: { findings: unknown; incidentsOpened: number }) => [
        b.findings,
        b.incidentsOpened,
      ]),
    ).toEqual([
      [{ info: 1, warning: 1, critical: 1 }, 1],
      [{ info: 0, warning: 1, critical: 0 }, 0],
    ]);
    const other = await get("bucket=day&from=2026-11-03T00:00:00Z&to=2026-11-03T23:00:00Z", globex);
    expect(other.body.bars[0].findings).toEqual({ info: 0, warning: 0, critical: 1 });
    expect(other.body.bars[0].incidentsOpened).toBe(0);
    expect((await get("stream=gate", globex)).status).toBe(404);
  });

  it("names the field of a bad query", async () => {
    expect(await get("bucket=week")).toMatchObject({ status: 400, body: { error: { field: "bucket" } } });
    expect(await get("bucket=hour&from=2026-01-01T00:00:00Z&to=2026-11-03T00:00:00Z")).toMatchObject({
      status: 400,
      body: {
        error: { field: "from", message: expect.stringContaining("narrow the range or count by day") },
      },
    });
    expect(await get("from=2026-11-05T00:00:00Z&to=2026-11-03T00:00:00Z")).toMatchObject({
      status: 400,
      body: { error: { field: "from" } },
    });
    // The default range: the last 30 days, by day.
    const defaults = await get("");
    expect(defaults.body.bars).toHaveLength(31);
    const [count] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM alerts`);
    expect(count?.n).toBe(6);
  });
});
