import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { fitReference } from "../services/references/fit.ts";
import { BatchScheduler, slotsBetween } from "./scheduler.ts";
import { driftFixture, ingestAt, synthetic } from "./testing/fixture.ts";

describe("BatchScheduler", { timeout: 60_000 }, () => {
  let f: Awaited<ReturnType<typeof driftFixture>>;
  beforeAll(async () => {
    f = await driftFixture();
    await fitReference(f.database, {
      tenantId: f.tenantId,
      stream: "cam",
      source: f.day(0),
      options: { knnQueries: 200 },
    });
    // The tests stand the clock in November 2026; the reference was activated on day 1 of it.
    await f.database.db.execute(sql`UPDATE reference_sets SET activated_at = '2026-11-02T00:00:00Z'`);
  }, 120_000);
  afterAll(() => f.database.close());

  const replicas = (at: string, lookbackMs = 3_600_000) =>
    ["replica-a", "replica-b"].map(
      (owner) => new BatchScheduler({ database: f.database, owner, now: () => new Date(at), lookbackMs }),
    );
  const runs = () =>
    queryRows<{ kind: string; key: string; status: string }>(
      f.database.db,
      sql`SELECT kind, idempotency_key AS key, status FROM drift_runs ORDER BY id`,
    );

  it("lists a cron's UTC slots in (since, until]", () => {
    const slots = slotsBetween(
      "0 2 * * *",
      new Date("2026-11-03T00:00:00Z"),
      new Date("2026-11-05T02:00:00Z"),
    );
    expect(slots.map((s) => s.toISOString())).toEqual([
      "2026-11-03T02:00:00.000Z",
      "2026-11-04T02:00:00.000Z",
      "2026-11-05T02:00:00.000Z",
    ]);
  });

  it("two replicas at the same due slot queue it once and run it once", async () => {
    const [a, b] = replicas("2026-11-03T02:00:30Z") as [BatchScheduler, BatchScheduler];
    const ticks = await Promise.all([a.tick(), b.tick(), a.tick()]);
    expect(ticks.reduce((s, t) => s + t.enqueued, 0)).toBe(1);
    expect(ticks.reduce((s, t) => s + t.ran, 0)).toBe(1);
    expect(await runs()).toEqual([
      { kind: "scheduled", key: "scheduled:2026-11-03T02:00:00.000Z", status: "succeeded" },
    ]);
    // Later ticks within the look-back see the slot already queued.
    expect(await b.tick()).toEqual({ enqueued: 0, ran: 0, failed: 0 });
  });

  it("adds the weekly forced-MMD run on Sundays", async () => {
    const [a, b] = replicas("2026-11-22T03:00:05Z") as [BatchScheduler, BatchScheduler];
    await Promise.all([a.tick(), b.tick()]);
    const weekly = (await runs()).filter((r) => r.kind === "weekly");
    expect(weekly).toEqual([{ kind: "weekly", key: "weekly:2026-11-22T03:00:00.000Z", status: "succeeded" }]);
    const [row] = await queryRows<{ mmd: boolean }>(
      f.database.db,
      sql`SELECT (results->'mmd') IS NOT NULL AND results->'mmd' <> 'null'::jsonb AS mmd FROM drift_runs WHERE kind = 'weekly'`,
    );
    expect(row?.mmd).toBe(true);
  });

  it("runs no catch-up slot from before the reference's activation, and skips one with nothing new since", async () => {
    const before = await runs();
    // Fitted at 04:00, after the 02:00 slot: within the 6 h look-back, but not caught up.
    await f.database.db.execute(sql`UPDATE reference_sets SET activated_at = '2026-11-10T04:00:00Z'`);
    const [early] = replicas("2026-11-10T05:00:00Z", 6 * 3_600_000) as [BatchScheduler];
    expect(await early.tick()).toEqual({ enqueued: 0, ran: 0, failed: 0 });
    // The next slot is queued, but the stream has received nothing since the fit: no run, no finding.
    const [next] = replicas("2026-11-11T02:00:30Z") as [BatchScheduler];
    expect(await next.tick()).toEqual({ enqueued: 1, ran: 1, failed: 0 });
    expect(await runs()).toEqual(before);
    const [job] = await queryRows<{ status: string; skipped: string }>(
      f.database.db,
      sql`SELECT status, result->>'skipped' AS skipped FROM jobs WHERE payload->>'slot' = '2026-11-11T02:00:00.000Z'`,
    );
    expect(job).toEqual({
      status: "succeeded",
      skipped: "nothing received since the active reference was activated",
    });
    // New embeddings arrive: the next slot checks them.
    await ingestAt(
      f.database,
      f.tenantId,
      "cam",
      synthetic.sample(600, 9),
      Date.parse("2026-11-11T10:00:00Z"),
      "d10",
    );
    const [later] = replicas("2026-11-12T02:00:30Z") as [BatchScheduler];
    expect(await later.tick()).toEqual({ enqueued: 1, ran: 1, failed: 0 });
    expect((await runs()).at(-1)).toEqual({
      kind: "scheduled",
      key: "scheduled:2026-11-12T02:00:00.000Z",
      status: "succeeded",
    });
  });
});
