/**
 * A confirmed batch drift queues a verification of the stream's model, once: not for a calm
 * window, not for a backfill, and not again while one is pending or within the cooldown.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBatchCheck } from "../batch/run.ts";
import { fittedDriftFixture } from "../batch/testing/fixture.ts";
import { loadConfig } from "../config/config.ts";
import { queryRows } from "../db/database.ts";
import { VERIFICATION_JOB, type VerificationSettings, verificationSettingsOf } from "./queue.ts";

const SETTINGS: VerificationSettings = {
  pairsFile: "/data/labelled/pairs.tsv",
  imagesDir: "/data/labelled/images",
  minAuc: 0.97,
  limit: 200,
};

describe("verification after a confirmed batch drift", { timeout: 60_000 }, () => {
  let f: Awaited<ReturnType<typeof fittedDriftFixture>>;
  let streamId: number;
  beforeAll(async () => {
    f = await fittedDriftFixture();
    streamId = f.streamId;
  }, 120_000);
  afterAll(() => f.database.close());

  const jobs = () =>
    queryRows<{ status: string; payload: Record<string, unknown> }>(
      f.database.db,
      sql`SELECT status, payload FROM jobs WHERE kind = ${VERIFICATION_JOB} ORDER BY id`,
    );

  it("queues nothing for a calm window or a backfill run", async () => {
    const calm = await runBatchCheck(f.database, {
      streamId,
      kind: "manual",
      window: f.day(1),
      verifyOnDrift: SETTINGS,
    });
    expect(calm.drift).toBe(false);
    const backfill = await runBatchCheck(f.database, {
      streamId,
      kind: "backfill",
      window: f.day(2),
      idempotencyKey: "backfill:day2",
      verifyOnDrift: SETTINGS,
    });
    expect(backfill.drift).toBe(true);
    expect(await jobs()).toEqual([]);
  });

  it("queues one job on the labelled set for the drifting stream, and not another while it is pending", async () => {
    const run = await runBatchCheck(f.database, {
      streamId,
      kind: "manual",
      window: f.day(2),
      verifyOnDrift: SETTINGS,
    });
    expect(run.drift).toBe(true);
    const [job, ...more] = await jobs();
    expect(more).toEqual([]);
    expect(job).toEqual({
      status: "queued",
      payload: {
        tenantId: f.tenantId,
        stream: { id: streamId, name: "cam" },
        pairsFile: SETTINGS.pairsFile,
        imagesDir: SETTINGS.imagesDir,
        minAuc: 0.97,
        limit: 200,
        trigger: { kind: "batch-drift", driftRunId: run.id },
      },
    });
    await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(2), verifyOnDrift: SETTINGS });
    expect(await jobs()).toHaveLength(1);
    // Finished, but within the cooldown: still no second job.
    await f.database.db.execute(sql`UPDATE jobs SET status = 'succeeded' WHERE kind = ${VERIFICATION_JOB}`);
    await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(2), verifyOnDrift: SETTINGS });
    expect(await jobs()).toHaveLength(1);
    // After the cooldown, the next confirmed drift queues again.
    await f.database.db.execute(
      sql`UPDATE jobs SET created_at = now() - interval '7 hours' WHERE kind = ${VERIFICATION_JOB}`,
    );
    await runBatchCheck(f.database, { streamId, kind: "manual", window: f.day(2), verifyOnDrift: SETTINGS });
    expect((await jobs()).map((j) => j.status)).toEqual(["succeeded", "queued"]);
  });
});

describe("verification settings", () => {
  it("come from the environment, both paths or neither", () => {
    expect(verificationSettingsOf(loadConfig({}))).toBeNull();
    const config = loadConfig({
      FACEDRIFT_VERIFICATION_PAIRS: "/p.tsv",
      FACEDRIFT_VERIFICATION_IMAGES: "/img",
      FACEDRIFT_VERIFICATION_MIN_AUC: "0.95",
      FACEDRIFT_VERIFICATION_LIMIT: "100",
    });
    expect(verificationSettingsOf(config)).toEqual({
      pairsFile: "/p.tsv",
      imagesDir: "/img",
      minAuc: 0.95,
      limit: 100,
    });
    expect(config.verifyOnDrift).toBe(true);
    expect(loadConfig({ FACEDRIFT_VERIFY_ON_DRIFT: "off" }).verifyOnDrift).toBe(false);
    expect(() => loadConfig({ FACEDRIFT_VERIFICATION_PAIRS: "/p.tsv" })).toThrow(/set both or neither/);
    expect(() => loadConfig({ FACEDRIFT_VERIFICATION_MIN_AUC: "1.2" })).toThrow(/between 0 and 1/);
    expect(() => loadConfig({ FACEDRIFT_VERIFICATION_LIMIT: "1" })).toThrow(/at least 2/);
    expect(() => loadConfig({ FACEDRIFT_VERIFY_ON_DRIFT: "maybe" })).toThrow(/on or off/);
  });
});
