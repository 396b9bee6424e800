import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../db/migrate.ts";
import { openPglite } from "../../db/pglite.ts";
import { ingestEmbeddings } from "../../services/embeddings/ingest.ts";
import { ensureTenant } from "../../services/tenants/default.ts";

const bin = join(import.meta.dirname, "../../../bin/facedrift.mjs");
const dataDir = mkdtempSync(join(tmpdir(), "facedrift-archive-cli-"));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, "archive", ...args, "--data-dir", dataDir], {
    encoding: "utf8",
    timeout: 90_000,
    env: { ...process.env, DATABASE_URL: "", FACEDRIFT_RETENTION_DAYS: "" },
  });

describe("facedrift archive (the real binary, embedded database)", () => {
  beforeAll(async () => {
    const database = await openPglite(dataDir);
    await migrateDatabase(database);
    const tenantId = await ensureTenant(database.db);
    const items = ["a", "b"].map((id) => ({ id, ts: 1, embedding: [1, 2] }));
    await ingestEmbeddings(
      database,
      { tenantId, stream: "lobby", model: { id: "m", version: "1" }, items },
      new Date("2026-01-05T10:00:00Z"),
    );
    await database.close();
  }, 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("lists on --dry-run, archives with progress on stderr, then has nothing left to do", () => {
    const dry = run("--before", "2026-01-06", "--dry-run");
    expect(dry.status).toBe(0);
    expect(dry.stderr).toMatch(/^planned\s+lobby 2026-01-05 2 rows → file:\/\//m);
    expect(dry.stdout).toContain("would archive 1 stream-days");
    const file = join(dataDir, "archive", "1", "2026-01-05.parquet");
    expect(existsSync(file)).toBe(false);

    const real = run("--before", "2026-01-06");
    expect(real.status).toBe(0);
    expect(real.stderr).toMatch(/^archived\s+lobby 2026-01-05 2 rows/m);
    expect(real.stdout).toContain("archived 1 stream-days, 2 rows deleted");
    expect(existsSync(file)).toBe(true);

    expect(run("--before", "2026-01-06").stdout).toContain("archived 0 stream-days, 0 rows deleted");
    const bad = run("--before", "Jan 6");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--before");
  }, 240_000);
});
