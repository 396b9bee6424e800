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
    queryRows<{ run: number; sent: boolean }>(
      f.database.db,
      sql`SELECT (payload->>'runId')::int AS run, (payload->>'sent')::boolean AS sent FROM alerts ORDER BY id`,
    );
  const driftedRun = async () => {
    const run = await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(2) });
    expect(run.drift).toBe(true);
    return run.id;
  };

  it("waits for PSI to persist through two runs, then alerts; a zero cooldown sends each", async () => {
    await setRules({ psiPersistence: { threshold: 0.1, runs: 2 }, cooldownMinutes: 0 });
    await driftedRun();
    expect(await alerts()).toEqual([]);
    const second = await driftedRun();
    const third = await driftedRun();
    expect(await alerts()).toEqual([
      { run: second, sent: true },
      { run: third, sent: true },
    ]);
  });

  it("without rules, alerts on every confirmed drift under the detector's default cooldown", async () => {
    await setRules({ psiPersistence: null, cooldownMinutes: null });
    const next = await driftedRun();
    // The default batch cooldown (6 h) holds this one back: recorded, not sent.
    expect((await alerts()).at(-1)).toEqual({ run: next, sent: false });
  });
});
