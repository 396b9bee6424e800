/**
 * One injected shift, every detector, real channels: the synthetic stream of the batch tests
 * (day 2 shifted) goes through the streaming worker and two batch checks, on PGlite and on the
 * real PostgreSQL with pgvector (each run on a fresh database), with a webhook
 * and a PagerDuty channel pointed at local peers. It must give exactly one incident holding every
 * detector that fired, and each channel at most two notifications (opened, escalated); the calm
 * period then resolves it, and the next finding opens a new incident.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchNotification } from "../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../alerts/drizzle-store.ts";
import { type Peer, reply, startPeer } from "../alerts/testing/peer.ts";
import type { IncidentNotification } from "../alerts/types.ts";
import { runBatchCheck } from "../batch/run.ts";
import { DAY0, driftFixture } from "../batch/testing/fixture.ts";
import { queryRows } from "../db/database.ts";
import { alertChannels } from "../db/schema/alert-channel.ts";
import { TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { publicIdsOf } from "../ids/public-ids.ts";
import { getIncident } from "../services/incidents/get.ts";
import { fitReference } from "../services/references/fit.ts";
import { getStream } from "../services/streams/get.ts";
import { readAfterByCopy } from "../streaming/read.ts";
import { StreamingWorker } from "../streaming/worker.ts";
import { resolveCalmIncidents } from "./calm.ts";

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";

describe.each(TEST_DRIVERS)("one drift episode is one incident (%s)", { timeout: 180_000 }, (driver) => {
  let f: Awaited<ReturnType<typeof driftFixture>> & { streamId: number };
  let webhook: Peer;
  let pagerduty: Peer;
  const deliveries: Promise<unknown>[] = [];
  const dispatch = (notification: IncidentNotification) => {
    deliveries.push(
      dispatchNotification(notification, createDrizzleAlertStore(f.database.db), {
        retry: { attempts: 1, timeoutMs: 5_000 },
      }),
    );
  };
  const events = (peer: Peer) => peer.requests.map((r) => JSON.parse(r.body.toString("utf8")));
  const incidents = () =>
    queryRows<{ id: number; status: string; severity: string; detectors: string[]; finding_count: number }>(
      f.database.db,
      sql`SELECT id::int AS id, status, severity, detectors, finding_count FROM incidents ORDER BY id`,
    );

  beforeAll(async () => {
    const fixture = await driftFixture("cam", driver);
    await fitReference(fixture.database, {
      tenantId: fixture.tenantId,
      stream: "cam",
      source: fixture.day(0),
    });
    f = { ...fixture, streamId: (await getStream(fixture.database.db, fixture.tenantId, "cam")).id };
    webhook = await startPeer((_, res) => reply(res, 204));
    pagerduty = await startPeer((_, res) => reply(res, 202, '{"status":"success"}'));
    await f.database.db.insert(alertChannels).values([
      {
        tenantId: f.tenantId,
        name: "hook",
        type: "webhook",
        config: { type: "webhook", url: webhook.url, secret: "0123456789abcdef" },
      },
      {
        tenantId: f.tenantId,
        name: "pager",
        type: "pagerduty",
        config: { type: "pagerduty", routingKey: ROUTING_KEY, endpoint: pagerduty.url },
      },
    ]);
  }, 120_000);
  afterAll(async () => {
    await webhook?.close();
    await pagerduty?.close();
    await f?.database.close();
  });

  it("streaming and batch findings of the shift share one incident; channels hear opened and escalated", async () => {
    const worker = new StreamingWorker({
      db: f.database.db,
      read: readAfterByCopy(f.database),
      pollIntervalMs: 20,
      dispatch: { retry: { attempts: 1, timeoutMs: 5_000 } },
    });
    worker.start();
    await worker.caughtUp();
    await worker.stop(); // waits for its dispatches
    const streaming = await incidents();
    expect(streaming).toHaveLength(1);
    expect(streaming[0]).toMatchObject({ status: "open", severity: "warning" });
    const fired = streaming[0]!.detectors;
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.every((kind) => ["pc1", "residual", "mmd"].includes(kind))).toBe(true);

    // The daily check confirms it (3+ components: critical), and confirms it again the next time.
    for (let run = 0; run < 2; run++) {
      const check = await runBatchCheck(f.database, {
        streamId: f.streamId,
        kind: "manual",
        window: f.day(2),
        dispatch,
      });
      expect(check).toMatchObject({ drift: true, severity: "high" });
    }
    await Promise.all(deliveries);

    const [incident, ...others] = await incidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ status: "open", severity: "critical", detectors: [...fired, "batch"] });
    const [findings] = await queryRows<{ n: number; attached: number }>(
      f.database.db,
      sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE incident_id = ${incident!.id})::int AS attached FROM alerts`,
    );
    expect(findings).toEqual({ n: incident!.finding_count, attached: incident!.finding_count });
    expect(incident!.finding_count).toBeGreaterThanOrEqual(fired.length + 2);

    // Channels name the incident and the tenant by public id, as the API does.
    const ids = await publicIdsOf(f.database.db);
    const told = (id: number) => ids.encode("incident", id);
    const tenant = ids.encode("tenant", f.tenantId);
    expect(events(webhook).map((e) => [e.event, e.incident.id, e.incident.severity])).toEqual([
      ["incident.opened", told(incident!.id), "warning"],
      ["incident.escalated", told(incident!.id), "critical"],
    ]);
    const pages = events(pagerduty);
    expect(pages.map((e) => [e.event_action, e.payload.severity])).toEqual([
      ["trigger", "warning"],
      ["trigger", "critical"],
    ]);
    expect(new Set(pages.map((e) => e.dedup_key))).toEqual(
      new Set([`facedrift/${tenant}/incident/${told(incident!.id)}`]),
    );
    // Every attempt is logged against the incident and the finding that caused it.
    const logged = await queryRows<{ transition: string; channel_type: string; with_finding: boolean }>(
      f.database.db,
      sql`SELECT transition, channel_type, alert_id IS NOT NULL AS with_finding FROM alert_deliveries
          WHERE incident_id = ${incident!.id} ORDER BY id`,
    );
    expect(logged.map((r) => r.transition).sort()).toEqual(["escalated", "escalated", "opened", "opened"]);
    expect(logged.every((r) => r.with_finding)).toBe(true);

    // On the faces' own time (the fixture's ts run from DAY0 whatever day they were posted), and
    // how bad in numbers.
    const detail = await getIncident(f.database.db, f.tenantId, incident!.id);
    expect(Date.parse(detail.window.from)).toBeGreaterThanOrEqual(DAY0);
    expect(Date.parse(detail.window.to)).toBeLessThan(DAY0 + 3_000);
    expect(detail.howBad).toContainEqual(
      expect.stringMatching(
        /^Batch check \(worst of 2\): \d+ of 10 components with PSI ≥ 0\.1 \(max \d\.\d\d on PC\d+\); MMD² [\d.e-]+, p [<=] /,
      ),
    );
    if (fired.includes("pc1")) {
      expect(detail.howBad).toContainEqual(
        expect.stringMatching(/^PC1 mean moved [+−]\d+\.\d\d σ of the reference/),
      );
    }
  });

  it("resolves after the calm period, tells the channels, and the next finding opens a new incident", async () => {
    const [open] = await incidents();
    const [{ last } = { last: "" }] = await queryRows<{ last: string }>(
      f.database.db,
      sql`SELECT last_finding_at::text AS last FROM incidents WHERE id = ${open!.id}`,
    );
    const lastFinding = new Date(last).getTime();
    const base = { dashboardBaseUrl: "http://localhost:8080/" };
    // Not yet: 6 h is the default calm period.
    expect(
      await resolveCalmIncidents(f.database, { ...base, now: new Date(lastFinding + 5.9 * 3_600_000) }),
    ).toEqual([]);
    const resolved = await resolveCalmIncidents(f.database, {
      ...base,
      now: new Date(lastFinding + 6 * 3_600_000),
    });
    expect(resolved.map((n) => [n.transition, n.incident.id, n.incident.resolvedBy])).toEqual([
      ["resolved", open!.id, "calm"],
    ]);
    // A second sweep (another replica) finds nothing left to resolve.
    expect(
      await resolveCalmIncidents(f.database, { ...base, now: new Date(lastFinding + 7 * 3_600_000) }),
    ).toEqual([]);
    for (const notification of resolved) dispatch(notification);
    await Promise.all(deliveries);
    const ids = await publicIdsOf(f.database.db);
    expect(events(webhook).at(-1)).toMatchObject({
      event: "incident.resolved",
      incident: { id: ids.encode("incident", open!.id) },
    });
    expect(events(pagerduty).at(-1)).toMatchObject({
      event_action: "resolve",
      dedup_key: `facedrift/${ids.encode("tenant", f.tenantId)}/incident/${ids.encode("incident", open!.id)}`,
    });

    await runBatchCheck(f.database, { streamId: f.streamId, kind: "manual", window: f.day(2), dispatch });
    await Promise.all(deliveries);
    const all = await incidents();
    expect(all.map((i) => i.status)).toEqual(["resolved", "open"]);
    expect(all[1]).toMatchObject({ severity: "critical", detectors: ["batch"], finding_count: 1 });
    expect(events(webhook).at(-1)).toMatchObject({
      event: "incident.opened",
      incident: { id: ids.encode("incident", all[1]!.id) },
    });
  });
});
