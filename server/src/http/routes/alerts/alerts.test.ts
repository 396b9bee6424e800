import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../db/database.ts";
import { createTestApp } from "../../test-app.ts";

const model = { id: "m", version: "1" };

describe("alerts and drift events API", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let read: string;
  let ingestOnly: string;
  let otherTenant: string;
  /** Row ids (for SQL) and the public ids the API shows for them. */
  const alertRows: number[] = [];
  const alertIds: number[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    read = await t.keyFor("acme", ["read"]);
    ingestOnly = await t.keyFor("acme", ["ingest"]);
    otherTenant = await t.keyFor("globex", ["admin"]);
    for (const stream of ["lobby", "gate"]) {
      await t.call("POST", `/v1/streams/${stream}/embeddings`, {
        key: ingestOnly,
        json: { model, items: [{ id: "a", ts: 1_790_000_000_001, embedding: [1, 0] }] },
      });
    }
    const streams = await queryRows<{ id: number; name: string; tenant_id: number }>(
      t.db,
      sql`SELECT id::int AS id, name, tenant_id::int AS tenant_id FROM streams`,
    );
    const lobby = streams.find((s) => s.name === "lobby")!;
    const gate = streams.find((s) => s.name === "gate")!;
    const rows: [typeof lobby, string, string, string][] = [
      [lobby, "stream", "warning", "2026-11-20T10:00:00Z"],
      [lobby, "batch", "critical", "2026-11-21T10:00:00Z"],
      [gate, "batch", "info", "2026-11-22T10:00:00Z"],
      [lobby, "stream", "critical", "2026-11-23T10:00:00Z"],
    ];
    for (const [stream, detector, severity, at] of rows) {
      const [row] = await queryRows<{ id: number }>(
        t.db,
        sql`INSERT INTO alerts (tenant_id, stream_id, detector, severity, payload, created_at)
            VALUES (${stream.tenant_id}, ${stream.id}, ${detector}, ${severity}, '{"title":"t"}', ${at}::timestamptz)
            RETURNING id::int AS id`,
      );
      alertRows.push(row!.id);
      alertIds.push(await t.publicId("alert", row!.id));
    }
    for (const [seq, at] of [
      [10, "2026-11-20T00:00:00Z"],
      [20, "2026-11-21T00:00:00Z"],
      [30, "2026-11-22T00:00:00Z"],
    ] as const) {
      await t.db.execute(
        sql`INSERT INTO drift_events (stream_id, seq, signal, mean_before, mean_after, detected_at)
            VALUES (${lobby.id}, ${seq}, 'pc1', 0.1, 0.5, ${at}::timestamptz)`,
      );
    }
    await t.db.execute(
      sql`INSERT INTO alert_channels (tenant_id, name, type, config)
          VALUES (${lobby.tenant_id}, 'hook', 'webhook', '{"type":"webhook","url":"https://x.example","secret":"0123456789abcdef"}')`,
    );
    await t.db.execute(
      sql`INSERT INTO alert_deliveries (alert_id, channel_id, channel_type, attempt, status, http_status, error, started_at, duration_ms)
          SELECT ${alertRows[1]}, id, 'webhook', a, CASE a WHEN 1 THEN 'retrying' ELSE 'delivered' END,
                 CASE a WHEN 1 THEN 503 ELSE 200 END, CASE a WHEN 1 THEN 'webhook: https://x.example answered 503 — the peer said: <html>internal host db-7.corp down</html>' END, now(), 12
          FROM alert_channels, generate_series(1, 2) a`,
    );
  }, 60_000);
  afterAll(() => t.close());

  it("lists the tenant's alerts newest first, paged", async () => {
    const first = await t.call("GET", "/v1/alerts?limit=3", { key: read });
    expect(first.status).toBe(200);
    expect(first.body.items.map((a: { id: number }) => a.id)).toEqual([
      alertIds[3],
      alertIds[2],
      alertIds[1],
    ]);
    expect(first.body.items[0]).toMatchObject({ stream: "lobby", detector: "stream", severity: "critical" });
    const rest = await t.call("GET", `/v1/alerts?limit=3&before=${first.body.nextBefore}`, { key: read });
    expect(rest.body).toEqual({ items: [expect.objectContaining({ id: alertIds[0] })], nextBefore: null });
  });

  it("filters by stream, detector, severity and time range", async () => {
    const ids = async (query: string) =>
      (await t.call("GET", `/v1/alerts?${query}`, { key: read })).body.items.map((a: { id: number }) => a.id);
    expect(await ids("stream=gate")).toEqual([alertIds[2]]);
    expect(await ids("detector=stream")).toEqual([alertIds[3], alertIds[0]]);
    expect(await ids("severity=critical&stream=lobby")).toEqual([alertIds[3], alertIds[1]]);
    expect(await ids("from=2026-11-21T00:00:00Z&to=2026-11-22T23:00:00Z")).toEqual([
      alertIds[2],
      alertIds[1],
    ]);
    expect(await ids("stream=nope")).toEqual([]);
  });

  it("acknowledges with a note, once, and filters on it", async () => {
    const id = alertIds[1];
    const ack = await t.call("POST", `/v1/alerts/${id}/acknowledge`, {
      key: read,
      json: { note: "looking" },
    });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedAt).toEqual(expect.any(String));
    expect(ack.body.payload).toMatchObject({
      title: "t",
      acknowledgement: { note: "looking", by: expect.stringMatching(/^key:\d+$/) },
    });
    const again = await t.call("POST", `/v1/alerts/${id}/acknowledge`, { key: read });
    expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
    expect(again.body.payload.acknowledgement.note).toBe("looking");
    const open = await t.call("GET", "/v1/alerts?acknowledged=false", { key: read });
    expect(open.body.items.map((a: { id: number }) => a.id)).not.toContain(id);
    const done = await t.call("GET", "/v1/alerts?acknowledged=true", { key: read });
    expect(done.body.items.map((a: { id: number }) => a.id)).toEqual([id]);
    const audit = await queryRows<{ action: string; target: string }>(
      t.db,
      sql`SELECT action, target FROM audit_log WHERE action = 'alert.acknowledge'`,
    );
    expect(audit).toEqual([{ action: "alert.acknowledge", target: `alert:${alertRows[1]}` }]);
  });

  it("shows an alert's delivery log in attempt order", async () => {
    const res = await t.call("GET", `/v1/alerts/${alertIds[1]}/deliveries`, { key: read });
    expect(res.status).toBe(200);
    expect(res.body.items).toMatchObject([
      { attempt: 1, status: "retrying", httpStatus: 503, channelType: "webhook" },
      { attempt: 2, status: "delivered", httpStatus: 200, error: null },
    ]);
    // What the peer answered is for admins: a read key sees the status only.
    expect(res.body.items[0].error).toBe("webhook: https://x.example answered 503");
    const admin = await t.keyFor("acme", ["admin"]);
    const full = await t.call("GET", `/v1/alerts/${alertIds[1]}/deliveries`, { key: admin });
    expect(full.body.items[0].error).toContain("db-7.corp");
  });

  it("lists a stream's drift events newest first within a time range", async () => {
    const all = await t.call("GET", "/v1/streams/lobby/events", { key: read });
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: { seq: number }) => e.seq)).toEqual([30, 20, 10]);
    expect(all.body.items[0]).toMatchObject({ signal: "pc1", meanBefore: 0.1, meanAfter: 0.5 });
    const ranged = await t.call("GET", "/v1/streams/lobby/events?from=2026-11-20T12:00:00Z&limit=1", {
      key: read,
    });
    expect(ranged.body.items.map((e: { seq: number }) => e.seq)).toEqual([30]);
    const next = await t.call(
      "GET",
      `/v1/streams/lobby/events?from=2026-11-20T12:00:00Z&limit=1&before=${ranged.body.nextBefore}`,
      { key: read },
    );
    expect(next.body).toMatchObject({ items: [{ seq: 20 }], nextBefore: null });
  });

  it("keeps tenants apart and enforces scopes", async () => {
    expect((await t.call("GET", "/v1/alerts", { key: otherTenant })).body.items).toEqual([]);
    expect((await t.call("GET", `/v1/alerts/${alertIds[0]}/deliveries`, { key: otherTenant })).status).toBe(
      404,
    );
    expect((await t.call("POST", `/v1/alerts/${alertIds[0]}/acknowledge`, { key: otherTenant })).status).toBe(
      404,
    );
    expect((await t.call("GET", "/v1/streams/lobby/events", { key: otherTenant })).status).toBe(404);
    expect((await t.call("GET", "/v1/alerts", { key: ingestOnly })).status).toBe(403);
    expect((await t.call("GET", "/v1/alerts")).status).toBe(401);
  });

  it("names the bad field", async () => {
    const bad = async (path: string, field: string) => {
      const res = await t.call("GET", path, { key: read });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", field } } });
    };
    await bad("/v1/alerts?severity=loud", "severity");
    await bad("/v1/alerts?acknowledged=yes", "acknowledged");
    await bad("/v1/alerts?from=yesterday", "from");
    await bad("/v1/alerts?from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z", "from");
    await bad("/v1/alerts?limit=0", "limit");
    await bad("/v1/streams/lobby/events?before=-1", "before");
    const note = await t.call("POST", `/v1/alerts/${alertIds[0]}/acknowledge`, {
      key: read,
      json: { note: 5 },
    });
    expect(note).toMatchObject({ status: 400, body: { error: { field: "note" } } });
  });
});
