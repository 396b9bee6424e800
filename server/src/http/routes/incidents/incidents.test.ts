/**
 * The incidents API on a real app and PGlite: findings are recorded through the detectors' own
 * path (`recordAlerts`), so the incidents listed are the ones the product makes; a webhook
 * channel on a local peer hears the resolve.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AlertDraft, recordAlerts } from "../../../alerts/record.ts";
import { type Peer, reply, startPeer } from "../../../alerts/testing/peer.ts";
import { queryRows } from "../../../db/database.ts";
import type { FindingCategory } from "../../../db/schema/incident.ts";
import { createTestApp } from "../../test-app.ts";

const model = { id: "m", version: "1" };
const at = (hour: number) => new Date(Date.UTC(2026, 10, 26, hour));

describe("incidents API", { timeout: 60_000 }, () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let read: string;
  let admin: string;
  let ingestOnly: string;
  let otherTenant: string;
  let hook: Peer;
  const streams: Record<string, { id: number; tenantId: number; name: string }> = {};

  const record = (
    stream: string,
    detector: "stream" | "batch" | "verification",
    drafts: Partial<AlertDraft>[],
  ) =>
    t.db.transaction((tx) =>
      recordAlerts(
        tx,
        { stream: streams[stream]!, detector, dashboardBaseUrl: "http://localhost:8080/" },
        drafts.map((d, i) => ({
          severity: "warning",
          title: `${detector} finding ${i}`,
          numbers: {},
          window: { from: at(10), to: at(11) },
          details: {},
          ...d,
        })),
      ),
    );
  const get = (path: string, key = read) => t.call("GET", path, { key });
  const ids = async (query: string) =>
    (await get(`/v1/incidents?${query}`)).body.items.map((i: { id: number }) => i.id);

  /** The API's id of the incident a recording attached to (incident ids below are all public). */
  const publicIncident = (recorded: { incidentId: number | null }) =>
    t.publicId("incident", Number(recorded.incidentId));
  let lobby: number;
  let gate: number;
  let people: number;

  beforeAll(async () => {
    t = await createTestApp();
    read = await t.keyFor("acme", ["read"]);
    admin = await t.keyFor("acme", ["admin"]);
    ingestOnly = await t.keyFor("acme", ["ingest"]);
    otherTenant = await t.keyFor("globex", ["admin"]);
    for (const stream of ["lobby", "gate", "hall"]) {
      await t.call("POST", `/v1/streams/${stream}/embeddings`, {
        key: ingestOnly,
        json: { model, items: [{ id: "a", ts: Date.now(), embedding: [1, 0] }] },
      });
    }
    for (const row of await queryRows<{ id: number; tenant_id: number; name: string }>(
      t.db,
      sql`SELECT id::int AS id, tenant_id::int AS tenant_id, name FROM streams`,
    )) {
      streams[row.name] = { id: row.id, tenantId: row.tenant_id, name: row.name };
    }
    hook = await startPeer((_, res) => reply(res, 204));
    const channel = await t.call("POST", "/v1/alert-channels", {
      key: admin,
      json: { name: "hook", type: "webhook", url: hook.url, secret: "0123456789abcdef" },
    });
    expect(channel.status).toBe(201);

    // lobby: PC1 and MMD at once, then a batch check escalates — one incident.
    lobby = await publicIncident(
      await record("lobby", "stream", [
        { kind: "pc1", window: { from: at(9), to: at(10) } },
        { kind: "mmd", window: { from: at(9), to: at(12) } },
      ]),
    );
    await record("lobby", "batch", [{ severity: "critical", window: { from: at(0), to: at(12) } }]);
    // gate: a warning only.
    gate = await publicIncident(await record("gate", "stream", [{ kind: "residual" }]));
    // hall: a population change reported as critical, capped at info and not notified.
    const population: FindingCategory = "population";
    people = await publicIncident(
      await record("hall", "stream", [{ kind: "population", severity: "critical", category: population }]),
    );
  }, 60_000);
  afterAll(async () => {
    await hook?.close();
    await t?.close();
  });

  it("lists incidents newest first with their severity, detectors, window and link range, paged", async () => {
    const first = await get("/v1/incidents?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { id: number }) => i.id)).toEqual([people, gate]);
    const rest = await get(`/v1/incidents?limit=2&before=${first.body.nextBefore}`);
    expect(rest.body).toMatchObject({ items: [{ id: lobby }], nextBefore: null });
    expect(rest.body.items[0]).toMatchObject({
      stream: "lobby",
      status: "open",
      severity: "critical",
      notifiedSeverity: "critical",
      category: null,
      title: "Drift on lobby: PC1 shift (ADWIN), MMD² window, batch check (PSI/KS/MMD)",
      detectors: [
        { kind: "pc1", label: "PC1 shift (ADWIN)" },
        { kind: "mmd", label: "MMD² window" },
        { kind: "batch", label: "batch check (PSI/KS/MMD)" },
      ],
      findingCount: 3,
      window: { from: at(0).toISOString(), to: at(12).toISOString() },
      // 12 h of evidence: 3 h of context on each side.
      range: { from: at(-3).toISOString(), to: at(15).toISOString() },
    });
    expect(first.body.items[0]).toMatchObject({
      stream: "hall",
      severity: "info",
      notifiedSeverity: null,
      category: "population",
      title: "Population change on hall: population",
    });
  });

  it("filters by stream, status, least severity and category", async () => {
    expect(await ids("stream=gate")).toEqual([gate]);
    expect(await ids("severity=warning")).toEqual([gate, lobby]);
    expect(await ids("severity=critical")).toEqual([lobby]);
    expect(await ids("category=population")).toEqual([people]);
    expect(await ids("status=active")).toEqual([people, gate, lobby]);
    expect(await ids("status=resolved")).toEqual([]);
    expect(await ids("stream=nope")).toEqual([]);
  });

  it("shows one incident's timeline: history, its findings oldest first", async () => {
    const res = await get(`/v1/incidents/${lobby}`);
    expect(res.status).toBe(200);
    expect(res.body.history.map((h: { kind: string; severity: string }) => [h.kind, h.severity])).toEqual([
      ["opened", "warning"],
      ["escalated", "critical"],
    ]);
    expect(res.body.findings.map((f: { detector: string; incidentId: number }) => f.detector)).toEqual([
      "stream",
      "stream",
      "batch",
    ]);
    expect(res.body.findings.every((f: { incidentId: number }) => f.incidentId === lobby)).toBe(true);
    expect(res.body.findings[2].payload.notified).toBe("escalated");
    const findings = await get(`/v1/alerts?incident=${lobby}`);
    expect(findings.body.items).toHaveLength(3);
  });

  it("acknowledges with a note once; findings keep attaching and an escalation would still notify", async () => {
    const ack = await t.call("POST", `/v1/incidents/${gate}/acknowledge`, {
      key: read,
      json: { note: "on it" },
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: expect.stringMatching(/^key:\d+$/),
    });
    expect(ack.body.history.at(-1)).toMatchObject({ kind: "acknowledged", note: "on it" });
    const again = await t.call("POST", `/v1/incidents/${gate}/acknowledge`, { key: read });
    expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
    const escalation = await record("gate", "verification", [{ severity: "critical" }]);
    expect(await publicIncident(escalation)).toBe(gate);
    expect(escalation.notifications.map((n) => n.transition)).toEqual(["escalated"]);
    const [audit] = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'incident.acknowledge'`,
    );
    expect(audit?.n).toBe(1);
  });

  it("resolves by a person, tells the channels once, and the next finding opens a new incident", async () => {
    const res = await t.call("POST", `/v1/incidents/${lobby}/resolve`, {
      key: read,
      json: { note: "camera fixed" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "resolved", resolvedBy: expect.stringMatching(/^key:\d+$/) });
    expect(res.body.history.at(-1)).toMatchObject({ kind: "resolved", note: "camera fixed" });
    await expect.poll(() => hook.requests.length).toBe(1);
    const body = JSON.parse(hook.requests[0]!.body.toString("utf8"));
    // Channels name the incident and the tenant as the API does: by public id.
    const tenantId = await t.publicId("tenant", streams.lobby!.tenantId);
    expect(body).toMatchObject({
      event: "incident.resolved",
      incident: { id: lobby, tenantId, status: "resolved" },
    });
    const again = await t.call("POST", `/v1/incidents/${lobby}/resolve`, { key: read });
    expect(again.body.resolvedAt).toBe(res.body.resolvedAt);
    expect((await t.call("POST", `/v1/incidents/${lobby}/acknowledge`, { key: read })).status).toBe(409);
    // The channel's delivery shows in the timeline.
    await expect
      .poll(async () => (await get(`/v1/incidents/${lobby}`)).body.notifications)
      .toEqual([
        expect.objectContaining({ transition: "resolved", channelType: "webhook", status: "delivered" }),
      ]);

    const next = await record("lobby", "stream", [{ kind: "pc1" }]);
    expect(await publicIncident(next)).not.toBe(lobby);
    expect(next.notifications.map((n) => n.transition)).toEqual(["opened"]);
  });

  it("resolving an incident the channels never heard of notifies nobody", async () => {
    const before = hook.requests.length;
    const res = await t.call("POST", `/v1/incidents/${people}/resolve`, { key: read });
    expect(res.body.status).toBe("resolved");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hook.requests.length).toBe(before);
  });

  it("keeps tenants apart and enforces scopes", async () => {
    expect((await get("/v1/incidents", otherTenant)).body.items).toEqual([]);
    expect((await get(`/v1/incidents/${gate}`, otherTenant)).status).toBe(404);
    expect((await t.call("POST", `/v1/incidents/${gate}/resolve`, { key: otherTenant })).status).toBe(404);
    expect((await get(`/v1/incidents/${gate}`)).body.status).toBe("acknowledged");
    expect((await get("/v1/incidents", ingestOnly)).status).toBe(403);
    expect((await t.call("GET", "/v1/incidents")).status).toBe(401);
  });

  it("names the bad field", async () => {
    const bad = async (path: string, field: string) => {
      const res = await get(path);
      expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", field } } });
    };
    await bad("/v1/incidents?status=closed", "status");
    await bad("/v1/incidents?severity=loud", "severity");
    await bad("/v1/incidents?category=people", "category");
    await bad("/v1/incidents?limit=0", "limit");
    await bad("/v1/incidents/abc", "id");
    const note = await t.call("POST", `/v1/incidents/${gate}/acknowledge`, { key: read, json: { note: 5 } });
    expect(note).toMatchObject({ status: 400, body: { error: { field: "note" } } });
  });
});
