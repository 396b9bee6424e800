/**
 * Stream alerts and the stream's own alert rules: the cooldown named in the dashboard's Settings
 * governs the streaming detector's alerts as it does the batch detector's.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { updateStreamSettings } from "../services/stream-settings/update.ts";
import { writeStreamAlerts } from "./alerts.ts";
import type { Detection } from "./detectors.ts";
import { seedStream } from "./testing/fixture.ts";

describe("stream alerts", () => {
  let database: Database;
  let stream: { id: number; tenantId: number; name: string };
  beforeAll(async () => {
    database = await openPglite();
    await migrateDatabase(database);
    const seeded = await seedStream(database, "lobby", { reference: false, rows: 10 });
    stream = { id: seeded.streamId, tenantId: seeded.tenantId, name: "lobby" };
  }, 120_000);
  afterAll(() => database.close());

  const shift = (
    seq: number,
  ): Detection & { driftEventId: number; window: { from: string; to: string } } => ({
    signal: "pc1",
    category: "input",
    seq,
    windowFromSeq: seq - 100,
    index: 0,
    score: -1.2,
    meanBefore: 0.1,
    meanAfter: -0.9,
    widthBefore: 400,
    widthAfter: 100,
    driftEventId: seq,
    window: { from: "2026-11-26T10:00:00.000Z", to: "2026-11-26T10:05:00.000Z" },
  });
  const write = (seq: number) =>
    database.db.transaction((tx) =>
      writeStreamAlerts(tx, {
        stream,
        reference: { id: 1, version: 1 },
        detections: [shift(seq)],
        cooldownMs: 3_600_000,
        dashboardBaseUrl: "http://localhost:8080/",
      }),
    );
  const sent = async () =>
    (
      await queryRows<{ sent: boolean }>(
        database.db,
        sql`SELECT (payload->>'sent')::boolean AS sent FROM alerts WHERE stream_id = ${stream.id} ORDER BY id`,
      )
    ).map((r) => r.sent);

  it("keeps the worker's cooldown unless the stream's rules name one, then keeps theirs", async () => {
    expect(await write(1)).toHaveLength(1);
    expect(await write(2)).toHaveLength(0);
    expect(await sent()).toEqual([true, false]);
    await updateStreamSettings(database.db, {
      tenantId: stream.tenantId,
      name: "lobby",
      actor: "test",
      patch: { alertRules: { cooldownMinutes: 0 } },
    });
    expect(await write(3)).toHaveLength(1);
    expect(await write(4)).toHaveLength(1);
    expect(await sent()).toEqual([true, false, true, true]);
  });
});
