/** The drizzle stores on a real (in-memory) PGlite, migrated like production. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { alerts } from "../db/schema/alert.ts";
import { alertChannels } from "../db/schema/alert-channel.ts";
import { alertDeliveries } from "../db/schema/alert-delivery.ts";
import { incidents } from "../db/schema/incident.ts";
import { streams } from "../db/schema/stream.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { dispatchNotification } from "./dispatcher.ts";
import { createDrizzleAlertStore } from "./drizzle-store.ts";
import { sampleAlert, sampleNotification } from "./testing/alert.ts";
import { type Peer, reply, startPeer } from "./testing/peer.ts";
import { ensureVapidKeys } from "./webpush/index.ts";

let database: Database;
let tenantId: number;
let alertId: number;
let incidentId: number;

beforeAll(async () => {
  database = await openPglite();
  await migrateDatabase(database);
  tenantId = await ensureTenant(database.db, "alerts-test");
  const [stream] = await database.db
    .insert(streams)
    .values({ tenantId, name: "lobby", modelId: "m", modelVersion: "1", dimension: 4 })
    .returning({ id: streams.id });
  const at = new Date("2026-11-26T12:00:00Z");
  const [incident] = await database.db
    .insert(incidents)
    .values({
      tenantId,
      streamId: stream!.id,
      severity: "critical",
      notifiedSeverity: "critical",
      windowFrom: at,
      windowTo: at,
    })
    .returning({ id: incidents.id });
  incidentId = Number(incident!.id);
  const [alert] = await database.db
    .insert(alerts)
    .values({ tenantId, streamId: stream!.id, detector: "batch", severity: "critical", incidentId })
    .returning({ id: alerts.id });
  alertId = Number(alert!.id);
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe("drizzle alert store", () => {
  it("stores the VAPID pair once: a second insert returns the first pair", async () => {
    const store = createDrizzleAlertStore(database.db);
    expect(await store.vapidKeys.get()).toBeUndefined();
    const first = await ensureVapidKeys(store.vapidKeys);
    const second = await store.vapidKeys.insertIfAbsent({ publicKey: "other", privateKey: "other" });
    expect(second).toEqual(first);
    expect(await store.vapidKeys.get()).toEqual(first);
  });

  it("adds (upserting by endpoint), lists and removes push subscriptions per tenant", async () => {
    const store = createDrizzleAlertStore(database.db).pushSubscriptions;
    const otherTenant = await ensureTenant(database.db, "someone-else");
    await store.add(tenantId, { endpoint: "https://push.example/a", keys: { p256dh: "p1", auth: "a1" } });
    await store.add(tenantId, { endpoint: "https://push.example/b", keys: { p256dh: "p2", auth: "a2" } });
    await store.add(tenantId, { endpoint: "https://push.example/a", keys: { p256dh: "p3", auth: "a3" } });
    await store.add(otherTenant, { endpoint: "https://push.example/a", keys: { p256dh: "p4", auth: "a4" } });
    expect(await store.list(tenantId)).toEqual([
      { endpoint: "https://push.example/a", keys: { p256dh: "p3", auth: "a3" } },
      { endpoint: "https://push.example/b", keys: { p256dh: "p2", auth: "a2" } },
    ]);
    expect(await store.remove(tenantId, "https://push.example/a")).toBe(true);
    expect(await store.remove(tenantId, "https://push.example/a")).toBe(false);
    expect((await store.list(tenantId)).map((s) => s.endpoint)).toEqual(["https://push.example/b"]);
    expect(await store.list(otherTenant)).toHaveLength(1);
  });

  it("dispatches to the enabled channels in the table and writes every attempt to alert_deliveries", async () => {
    let calls = 0;
    const peer: Peer = await startPeer((_, res) =>
      ++calls === 1 ? reply(res, 503, "busy") : reply(res, 200, "ok"),
    );
    try {
      const [enabled, disabled] = await database.db
        .insert(alertChannels)
        .values([
          { tenantId, name: "team slack", type: "slack", config: { type: "slack", url: peer.url } },
          {
            tenantId,
            name: "old slack",
            type: "slack",
            enabled: false,
            config: { type: "slack", url: peer.url },
          },
        ])
        .returning({ id: alertChannels.id });
      const store = createDrizzleAlertStore(database.db);
      const notification = sampleNotification({
        incident: { id: incidentId, tenantId },
        finding: sampleAlert({ id: alertId, tenantId }),
      });
      const summary = await dispatchNotification(notification, store, {
        retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 1000 },
      });
      expect(summary).toMatchObject({ delivered: 1, failed: 0 });
      expect(summary.channels.map((c) => c.channelId)).toEqual([enabled!.id]);
      expect(disabled!.id).not.toBe(enabled!.id);

      const rows = await database.db.select().from(alertDeliveries).orderBy(alertDeliveries.attempt);
      expect(
        rows.map((r) => [
          r.incidentId,
          r.transition,
          r.alertId,
          r.channelId,
          r.channelType,
          r.attempt,
          r.status,
          r.httpStatus,
        ]),
      ).toEqual([
        [incidentId, "opened", alertId, enabled!.id, "slack", 1, "retrying", 503],
        [incidentId, "opened", alertId, enabled!.id, "slack", 2, "delivered", 200],
      ]);
      expect(rows[0]?.error).toContain("busy");
      expect(rows[1]?.error).toBeNull();
    } finally {
      await peer.close();
    }
  });

  it("the table refuses a config whose type disagrees with the type column", async () => {
    await expect(
      database.db.insert(alertChannels).values({
        tenantId,
        name: "mismatch",
        type: "webhook",
        config: { type: "slack", url: "https://h.example" },
      }),
    ).rejects.toThrow(
      expect.objectContaining({
        cause: expect.objectContaining({
          message: expect.stringContaining("alert_channels_type_matches_config"),
        }),
      }),
    );
  });
});
