import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../db/database.ts";
import { updateStreamSettings } from "../services/stream-settings/update.ts";
import { runBatchCheck } from "./run.ts";
import { fittedDriftFixture } from "./testing/fixture.ts";

/** The stream's alert rules from the dashboard's Settings, as the batch detector applies them. */
describe("batch alerts follow the stream's alert rules", { timeout: 60_000 }, () => {
  let f: Awaited<ReturnType<typeof fittedDriftFixture>>;
  let streamId: number;
  beforeAll(async () => {
    f = await fittedDriftFixture();
    streamId = f.streamId;
  }, 120_000);
  afterAll(() => f.database.close());

  const setRules = (alertRules: Parameters<typeof updateStreamSettings>[1]["patch"]["alertRules"]) =>
    updateStreamSettings(f.database.db, {
      tenantId: f.tenantId,
      name: "cam",
      actor: "test",
      patch: { alertRules },
    });
  const alerts = () =>
    queryRows<{ run: number; notified: string | null }>(
      f.database.db,
      sql`SELECT (payload->>'runId')::int AS run, payload->>'notified' AS notified FROM alerts ORDER BY id`,
    );
  const driftedRun = async () => {
    const run = await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(2) });
    expect(run.drift).toBe(true);
    return run.id;
  };

  it("waits for PSI to persist through two runs, then records a finding; a zero calm period makes each a new incident", async () => {
    await setRules({ psiPersistence: { threshold: 0.1, runs: 2 }, calmMinutes: 0 });
    await driftedRun();
    expect(await alerts()).toEqual([]);
    const second = await driftedRun();
    const third = await driftedRun();
    expect(await alerts()).toEqual([
      { run: second, notified: "opened" },
      { run: third, notified: "opened" },
    ]);
  });

  it("without rules, every confirmed drift is a finding of the stream's one open incident", async () => {
    await setRules({ psiPersistence: null, calmMinutes: null });
    const next = await driftedRun();
    // The default calm period (6 h) has not passed: it attaches to the open incident, silently.
    expect((await alerts()).at(-1)).toEqual({ run: next, notified: null });
    const [counts] = await queryRows<{ incidents: number; open: number }>(
      f.database.db,
      sql`SELECT count(*)::int AS incidents, count(*) FILTER (WHERE status = 'open')::int AS open FROM incidents`,
    );
    expect(counts).toEqual({ incidents: 2, open: 1 });
  });
});
