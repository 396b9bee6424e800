/**
 * Stream findings and the stream's own alert rules: findings attach to the stream's incident, and
 * the calm period named in the dashboard's Settings decides when an episode is over.
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
        dashboardBaseUrl: "http://localhost:8080/",
      }),
    );
  const attached = async () =>
    (
      await queryRows<{ incident: number; notified: string | null }>(
        database.db,
        sql`SELECT incident_id::int AS incident, payload->>'notified' AS notified
            FROM alerts WHERE stream_id = ${stream.id} ORDER BY id`,
      )
    ).map((r) => [r.incident, r.notified]);

  it("attaches every finding to the stream's incident; only the opening notifies, until the calm period ends it", async () => {
    const opened = await write(1);
    expect(opened.map((n) => [n.transition, n.incident.severity, n.finding?.kind])).toEqual([
      ["opened", "warning", "pc1"],
    ]);
    const first = opened[0]!.incident.id;
    expect(opened[0]!.dashboardUrl).toBe(
      `http://localhost:8080/streams/lobby?from=2026-11-26T09%3A30%3A00.000Z&to=2026-11-26T10%3A35%3A00.000Z&incident=${first}`,
    );
    expect(await write(2)).toEqual([]);
    expect(await attached()).toEqual([
      [first, "opened"],
      [first, null],
    ]);
    // A calm period of 0 minutes: the open incident is over by the next finding, which opens another.
    await updateStreamSettings(database.db, {
      tenantId: stream.tenantId,
      name: "lobby",
      actor: "test",
      patch: { alertRules: { calmMinutes: 0 } },
    });
    const next = await write(3);
    expect(next.map((n) => [n.transition, n.incident.id === first])).toEqual([
      ["resolved", true],
      ["opened", false],
    ]);
    expect(next[0]!.incident).toMatchObject({ status: "resolved", resolvedBy: "calm", findingCount: 2 });
    expect((await attached()).at(-1)).toEqual([next[1]!.incident.id, "opened"]);
  });

  it("rates an input finding priced from the embeddings alone by its predicted cost, stated in the title", async () => {
    const priced = (deltaAuc: number, seq: number) =>
      database.db.transaction((tx) =>
        writeStreamAlerts(tx, {
          stream,
          reference: { id: 1, version: 1 },
          detections: [
            {
              ...shift(seq),
              people: {
                verdict: "input",
                test: "mean",
                pValue: 0.001,
                alpha: 0.01,
                rows: 500,
                people: 420,
                repeatsDropped: 0,
              },
              impact: { deltaAuc, error: 0.004 },
            },
          ],
          dashboardBaseUrl: "http://localhost:8080/",
        }),
      );
    await priced(0.002, 10);
    await priced(0.031, 11);
    const rows = await queryRows<{ severity: string; title: string; cost: number | null }>(
      database.db,
      sql`SELECT severity, payload->>'title' AS title, (payload->'impact'->>'deltaAuc')::float8 AS cost
          FROM alerts WHERE stream_id = ${stream.id} ORDER BY id DESC LIMIT 2`,
    );
    expect(rows.map((r) => [r.severity, r.cost])).toEqual([
      ["critical", 0.031],
      ["warning", 0.002],
    ]);
    expect(rows[0]?.title).toMatch(
      /predicted verification cost ΔAUC 0\.031 ± 0\.004 \(from the embeddings' lost detail\)/,
    );
  });
});
