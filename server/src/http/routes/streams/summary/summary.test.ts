import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIM, MODEL, synthetic } from "../../../../batch/testing/fixture.ts";
import { driftRuns } from "../../../../db/schema/drift-run.ts";
import { incidents } from "../../../../db/schema/incident.ts";
import { ingestEmbeddings } from "../../../../services/embeddings/ingest.ts";
import { getStream } from "../../../../services/streams/get.ts";
import { ensureTenant } from "../../../../services/tenants/default.ts";
import { createTestApp } from "../../../test-app.ts";

describe("GET /v1/stream-summaries", { timeout: 60_000 }, () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let reader: string;
  let other: string;
  let tenantId: number;
  const now = Date.now();

  const ingest = async (stream: string, n: number, receivedAt: number) => {
    const x = synthetic.sample(n, n);
    const items = Array.from({ length: n }, (_, i) => ({
      id: `${stream}-${receivedAt}-${n}-${i}`,
      ts: receivedAt,
      embedding_b64: Buffer.from(x.buffer, i * DIM * 4, DIM * 4).toString("base64"),
    }));
    await ingestEmbeddings(t.database, { tenantId, stream, model: MODEL, items }, new Date(receivedAt));
  };

  beforeAll(async () => {
    t = await createTestApp();
    reader = await t.keyFor("acme", ["read"]);
    other = await t.keyFor("globex", ["read"]);
    const admin = await t.keyFor("acme", ["admin"]);
    tenantId = await ensureTenant(t.db, "acme");
    // Two hours ago and now, so the hourly counts have two non-empty slots.
    for (const stream of ["lobby", "quiet", "backlog"]) {
      await ingest(stream, 150, now - 2 * 3_600_000);
      await ingest(stream, 150, now);
    }
    await ingest("backlog", 1000, now);
    await ingest("new", 20, now);
    for (const stream of ["lobby", "quiet", "backlog"]) {
      const fit = await t.call("POST", `/v1/streams/${stream}/reference`, {
        key: admin,
        json: { last: 300 },
      });
      expect(fit.status).toBe(201);
    }
    const lobby = await getStream(t.db, tenantId, "lobby");
    const quiet = await getStream(t.db, tenantId, "quiet");
    await t.db.insert(driftRuns).values([
      { streamId: lobby.id, status: "succeeded", severity: "high", drift: true },
      { streamId: quiet.id, status: "succeeded", severity: "none", drift: false },
    ]);
    const window = { windowFrom: new Date(now), windowTo: new Date(now) };
    const backlog = await getStream(t.db, tenantId, "backlog");
    await t.db.insert(incidents).values([
      {
        tenantId,
        streamId: lobby.id,
        severity: "warning",
        status: "resolved",
        detectors: ["pc1"],
        ...window,
      },
      {
        tenantId,
        streamId: lobby.id,
        severity: "critical",
        detectors: ["pc1", "batch"],
        findingCount: 4,
        ...window,
      },
      {
        tenantId,
        streamId: quiet.id,
        severity: "critical",
        detectors: ["verification"],
        findingCount: 1,
        ...window,
      },
      // Population changes only (info): shown, but not drift.
      {
        tenantId,
        streamId: backlog.id,
        severity: "info",
        category: "population",
        detectors: ["population"],
        ...window,
      },
    ]);
  }, 120_000);
  afterAll(() => t?.close());

  it("gives each stream its state, reference, last run, active incident and hourly volume", async () => {
    const res = await t.call("GET", "/v1/stream-summaries", { key: reader });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.streams.map((s: { name: string }) => [s.name, s])) as Record<
      string,
      Record<string, unknown>
    >;
    expect(Object.keys(byName)).toEqual(["backlog", "lobby", "new", "quiet"]);
    expect(byName.lobby).toMatchObject({
      state: "drifting",
      model: MODEL,
      dimension: DIM,
      embeddingCount: 300,
      reference: { version: 1 },
      lastRun: { status: "succeeded", severity: "high", drift: true },
      incident: { status: "open", severity: "critical", findingCount: 4 },
    });
    // A verification incident is open but the drift detectors are quiet: ok, with the incident shown.
    expect(byName.quiet).toMatchObject({
      state: "ok",
      incident: { severity: "critical" },
      lastRun: { drift: false },
    });
    // No streaming worker ran: 1,300 embeddings behind the cursor; a population change is not drift.
    expect(byName.backlog).toMatchObject({
      state: "lagging",
      lag: 1300,
      lastRun: null,
      incident: { severity: "info" },
    });
    expect(byName.new).toMatchObject({ incident: null });
    expect(byName.new).toMatchObject({ state: "unmonitored", reference: null, lag: null });
    const perHour = byName.lobby?.perHour as number[];
    expect(perHour).toHaveLength(24);
    expect(perHour.at(-1)).toBe(150);
    expect(perHour.at(-3)).toBe(150);
    expect(perHour.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it("shows a tenant only its own streams and needs a credential", async () => {
    expect((await t.call("GET", "/v1/stream-summaries", { key: other })).body).toEqual({ streams: [] });
    expect((await t.call("GET", "/v1/stream-summaries")).status).toBe(401);
  });
});
