import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { TEST_DRIVERS } from "../db/testing/postgres-database.ts";
import { readWindow } from "../services/embeddings/window.ts";
import { fitReference } from "../services/references/fit.ts";
import { getStream } from "../services/streams/get.ts";
import { readAfterByCopy } from "../streaming/read.ts";
import { StreamingWorker } from "../streaming/worker.ts";
import { backfillRuns } from "./backfill.ts";
import { runBatchCheck } from "./run.ts";
import { DAY_MS, DAY0, driftFixture } from "./testing/fixture.ts";

describe.each(TEST_DRIVERS)("runBatchCheck and backfill (%s)", { timeout: 60_000 }, (driver) => {
  let f: Awaited<ReturnType<typeof driftFixture>>;
  let streamId: number;
  beforeAll(async () => {
    f = await driftFixture("cam", driver);
    streamId = (await getStream(f.database.db, f.tenantId, "cam")).id;
    await fitReference(f.database, { tenantId: f.tenantId, stream: "cam", source: f.day(0) });
  }, 120_000);
  afterAll(() => f.database.close());

  const count = async (table: string) =>
    Number(
      (await queryRows<{ n: number }>(f.database.db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]
        ?.n,
    );

  it("finds no drift in a window from the reference population", async () => {
    const run = await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(1) });
    expect(run).toMatchObject({ status: "succeeded", severity: "none", drift: false, kind: "manual" });
    expect(run.toSeq! - run.fromSeq!).toBe(999);
    expect(await count("alerts")).toBe(0);
  });

  it("flags a shifted window as high severity, confirmed by MMD, raises a batch alert, and sees more novelty", async () => {
    const calm = await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(1) });
    const run = await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(2) });
    expect(run).toMatchObject({ status: "succeeded", severity: "high", drift: true });
    const results = run.results as {
      psi: { flagged: number[] };
      mmd: { pValue: number };
      novelty: { rate: number };
    };
    expect(results.psi.flagged.length).toBeGreaterThanOrEqual(3);
    expect(results.mmd.pValue).toBeLessThan(0.05);
    const calmRate = (calm.results as { novelty: { rate: number } }).novelty.rate;
    expect(results.novelty.rate).toBeGreaterThan(calmRate + 0.1);
    // The fixture's shift multiplies the embeddings' noise: far more energy outside the reference's
    // main directions than new people carry, an input change no harm model prices, so the high
    // run's own severity stands. The calm window's people kept the detail new people show.
    expect(run.results).toMatchObject({ category: "input", detail: { offFaceSpace: true, lost: false } });
    expect(calm.results).not.toHaveProperty("category");
    const [alert] = await queryRows<{ detector: string; severity: string; run: number }>(
      f.database.db,
      sql`SELECT detector, severity, (payload->>'runId')::int AS run FROM alerts`,
    );
    expect(alert).toEqual({ detector: "batch", severity: "critical", run: run.id });
  });

  it("runs the person-permutation MMD on every check; the seed profile only when PSI/KS flag something", async () => {
    const calm = await runBatchCheck(f.database, {
      streamId,
      kind: "manual",
      window: f.day(1),
      raiseAlerts: false,
    });
    expect(calm.results).toMatchObject({ mmd: { decision: "people", confirmed: false } });
    expect(
      (calm.results as { mmd: { people: { units: { window: number } } } }).mmd.people.units.window,
    ).toBeGreaterThan(300);
    await f.database.db.execute(
      sql`UPDATE streams SET settings = settings || '{"checkProfile": "seed"}' WHERE id = ${streamId}`,
    );
    try {
      const seedCalm = await runBatchCheck(f.database, {
        streamId,
        kind: "manual",
        window: f.day(1),
        raiseAlerts: false,
      });
      expect(seedCalm.results).toMatchObject({ severity: "none", mmd: null });
      const seedShifted = await runBatchCheck(f.database, {
        streamId,
        kind: "manual",
        window: f.day(2),
        raiseAlerts: false,
      });
      expect(seedShifted).toMatchObject({ severity: "high", drift: true });
      expect((seedShifted.results as { mmd: { decision: string } }).mmd.decision).not.toBe("people");
    } finally {
      await f.database.db.execute(
        sql`UPDATE streams SET settings = settings - 'checkProfile' WHERE id = ${streamId}`,
      );
    }
  });

  it("backfills idempotently: a second backfill recomputes the same runs", async () => {
    const window = { streamId, from: new Date(DAY0), to: new Date(DAY0 + 4 * DAY_MS) };
    const first = await backfillRuns(f.database, window);
    expect(first.runs.map((r) => r.severity)).toEqual(["none", "none", "high"]);
    expect(first.skipped).toBe(1);
    const before = await count("drift_runs");
    const second = await backfillRuns(f.database, window);
    expect(await count("drift_runs")).toBe(before);
    expect(second.runs.map((r) => r.id)).toEqual(first.runs.map((r) => r.id));
    expect(second.runs.map((r) => r.results.psi)).toEqual(first.runs.map((r) => r.results.psi));
  });

  it("gives the same numbers from the streaming worker's cached scores as from every vector", async () => {
    const check = (window: { last: number }, read?: typeof readWindow) =>
      runBatchCheck(f.database, {
        streamId,
        kind: "weekly",
        window,
        seed: 4,
        raiseAlerts: false,
        ...(read ? { read } : {}),
      });
    const uncached = await check({ last: 1500 });
    expect(uncached.results).toMatchObject({ cachedScores: 0 });
    const worker = new StreamingWorker({
      db: f.database.db,
      read: readAfterByCopy(f.database),
      pollIntervalMs: 20,
    });
    worker.start();
    await worker.caughtUp();
    await worker.stop();
    const cached = await check({ last: 1500 });
    const everyVector = await check({ last: 1500 }, readWindow);
    expect(cached.results).toMatchObject({ cachedScores: 1500 });
    const numbers = (run: typeof cached) => {
      const { timingsMs: _t, cachedScores: _c, ...rest } = run.results as Record<string, unknown>;
      return rest;
    };
    expect(numbers(cached)).toEqual(numbers(uncached));
    expect(numbers(everyVector)).toEqual(numbers(cached));
    expect(cached).toMatchObject({ severity: "high", drift: true });
    // A worker that is behind: every other row scored, the rest projected from its vector.
    await f.database.db.execute(sql`DELETE FROM embedding_scores WHERE seq % 2 = 0`);
    const partly = await check({ last: 1500 });
    expect(partly.results).toMatchObject({ cachedScores: 750 });
    expect(numbers(partly)).toEqual(numbers(uncached));
  });
});
