import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, DAY0, ingestAt, synthetic } from "../../batch/testing/fixture.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { openPglite } from "../../db/pglite.ts";
import { ensureTenant } from "../../services/tenants/default.ts";

const bin = join(import.meta.dirname, "../../../bin/facedrift.mjs");
const dataDir = mkdtempSync(join(tmpdir(), "facedrift-batch-cli-"));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, "--data-dir", dataDir], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, DATABASE_URL: "" },
  });
const iso = (day: number) => new Date(DAY0 + day * DAY_MS).toISOString();

describe("facedrift reference / check / backfill (the real binary, embedded database)", () => {
  beforeAll(async () => {
    const database = await openPglite(dataDir);
    await migrateDatabase(database);
    const tenantId = await ensureTenant(database.db);
    await ingestAt(database, tenantId, "cam", synthetic.sample(1200, 1), DAY0, "d0");
    await ingestAt(
      database,
      tenantId,
      "cam",
      synthetic.sample(400, 3, { latentShift: 1, noiseScale: 12 }),
      DAY0 + DAY_MS,
      "d1",
    );
    await ingestAt(database, tenantId, "lobby", synthetic.sample(20, 4), DAY0, "l");
    await database.close();
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("fits from a window, checks, and backfills idempotently", () => {
    const fitted = run(
      "reference",
      "fit",
      "--stream",
      "cam",
      "--from",
      iso(0),
      "--to",
      iso(1),
      "--seed",
      "2",
    );
    expect(fitted.stderr).toBe("");
    expect(JSON.parse(fitted.stdout)).toMatchObject({
      version: 1,
      explained_variance_ratio: expect.any(Array),
    });

    // 400 embeddings: below the 500 PSI needs, so PSI flags nothing and says why; KS still flags
    // the shift ("low") and MMD confirms it.
    const check = run("check", "--stream", "cam", "--last", "400");
    expect(JSON.parse(check.stdout)).toMatchObject({
      kind: "manual",
      status: "succeeded",
      severity: "low",
      drift: true,
      results: { psi: { flagged: [], note: expect.stringContaining("below 500 embeddings") } },
    });
    const wider = run("check", "--stream", "cam", "--last", "500");
    expect(JSON.parse(wider.stdout)).toMatchObject({ severity: "high", drift: true });

    const first = run("backfill", "--stream", "cam", "--from", iso(0), "--to", iso(3), "--every", "1d");
    expect(first.stderr).toMatch(
      /\[1\/3\] .*: run \d+: none\n\[2\/3\] .*: run \d+: low, drift\n\[3\/3\] .*no data, skipped/,
    );
    expect(JSON.parse(first.stdout)).toMatchObject({ runs: 2, skipped: 1 });
    const second = run("backfill", "--stream", "cam", "--from", iso(0), "--to", iso(3));
    expect(second.stdout).toBe(first.stdout);
  }, 300_000);

  it("check --due runs the due scheduled slots once, as a CronJob would, and refuses mixed options", async () => {
    // No slot at or before the reference's activation runs (issue 12, item 6), and the reference
    // was fitted moments ago: stand two days later, as a stream that has been live since, with
    // embeddings received after the fit. A day's look-back then holds the daily 02:00 slot (and
    // Sunday's weekly one when it is in range), whatever the wall clock says.
    const database = await openPglite(dataDir);
    await database.db.execute(
      sql`UPDATE reference_sets SET activated_at = now() - interval '2 days' WHERE active`,
    );
    await database.db.execute(sql`UPDATE streams SET last_received_at = now() - interval '1 hour'`);
    await database.close();
    const first = run("check", "--due", "--lookback", "25h");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('"message":"batch check ran"');
    const counts = JSON.parse(first.stdout);
    expect(counts.enqueued).toBeGreaterThanOrEqual(1);
    expect(counts).toEqual({ enqueued: counts.enqueued, ran: counts.enqueued, failed: 0 });
    // The next tick (the CronJob's next run) finds the slots queued and run already.
    const again = run("check", "--due", "--lookback", "25h");
    expect(JSON.parse(again.stdout)).toEqual({ enqueued: 0, ran: 0, failed: 0 });

    const neither = run("check");
    expect(neither.status).toBe(1);
    expect(neither.stderr).toContain("give --stream <name>, or --due");
    const both = run("check", "--due", "--stream", "cam");
    expect(both.status).toBe(1);
    expect(both.stderr).toContain("--stream does not go with --due");
    expect(run("check", "--due", "--lookback", "soon").stderr).toContain('--lookback "soon" is not like');
  }, 300_000);

  it("exports a version, imports it into another stream, and names a missing version", () => {
    const out = join(dataDir, "cam-v1.json");
    const exported = run("reference", "export", "--stream", "cam", "1", "--out", out);
    expect(exported.status).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({
      format: "facedrift.reference/1",
      vectors: { count: 1200 },
    });
    const imported = run("reference", "import", "--stream", "lobby", out);
    expect(imported.stdout).toContain("imported");
    expect(imported.stdout).toContain("as reference v1 (active)");
    const missing = run("reference", "show", "--stream", "lobby", "7");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no reference version 7");
  }, 300_000);
});
