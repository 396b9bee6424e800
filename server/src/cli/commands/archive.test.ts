import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../db/migrate.ts";
import { openPglite } from "../../db/pglite.ts";
import { ingestEmbeddings } from "../../services/embeddings/ingest.ts";
import { ensureTenant } from "../../services/tenants/default.ts";

const bin = join(import.meta.dirname, "../../../bin/facedrift.mjs");
const dataDir = mkdtempSync(join(tmpdir(), "facedrift-archive-cli-"));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, "archive", ...args, "--data-dir", dataDir], {
    encoding: "utf8",
    timeout: 90_000,
    env: {
      ...process.env,
      DATABASE_URL: "",
      FACEDRIFT_RETENTION_DAYS: "",
      FACEDRIFT_ARCHIVE_KEYS: "",
      ...env,
    },
  });
const sealedFiles = () =>
  readdirSync(join(dataDir, "archive"), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".parquet.enc"));

describe("facedrift archive (the real binary, embedded database)", () => {
  beforeAll(async () => {
    const database = await openPglite(dataDir);
    await migrateDatabase(database);
    const tenantId = await ensureTenant(database.db);
    const items = ["a", "b"].map((id) => ({ id, ts: Date.parse("2026-01-05T09:00:00Z"), embedding: [1, 2] }));
    await ingestEmbeddings(
      database,
      { tenantId, stream: "lobby", model: { id: "m", version: "1" }, items },
      new Date("2026-01-05T10:00:00Z"),
    );
    await database.close();
  }, 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("lists on --dry-run, archives sealed with progress on stderr, then has nothing left to do", () => {
    const dry = run(["--before", "2026-01-06", "--dry-run"]);
    expect(dry.status).toBe(0);
    expect(dry.stderr).toMatch(/^planned\s+lobby 2026-01-05 2 rows → file:\/\//m);
    expect(dry.stdout).toContain("would archive 1 stream-days");
    expect(existsSync(join(dataDir, "archive"))).toBe(false);
    // A dry run makes no key either.
    expect(existsSync(join(dataDir, "archive-keys"))).toBe(false);

    const real = run(["--before", "2026-01-06"]);
    expect(real.status).toBe(0);
    expect(real.stderr).toMatch(/^archived\s+lobby 2026-01-05 2 rows → file:\/\/.*\.parquet\.enc$/m);
    expect(real.stdout).toContain("archived 1 stream-days, 2 rows deleted");
    expect(sealedFiles()).toHaveLength(1);
    // The embedded default: a key made once beside the data, readable by its owner only.
    const keyFile = join(dataDir, "archive-keys");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, "utf8")).toMatch(/^local-\d{4}-\d{2}-\d{2}:[A-Za-z0-9+/]{43}=$/m);

    const bad = run(["--before", "Jan 6"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--before");
  }, 240_000);

  it("list, verify, restore and rekey read the archives back", () => {
    const list = run(["list"]);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^stream\s+day\s+rows\s+seqs\s+erased\s+key/m);
    expect(list.stdout).toMatch(/^lobby\s+2026-01-05\s+2\s+1–2\s+0\s+local-/m);

    // Rotation: a new key first, the local one kept; rekey re-wraps; then the old key can go.
    const localKey = readFileSync(join(dataDir, "archive-keys"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("local-"))!;
    const newKey = `archive-2026-12:${randomBytes(32).toString("base64")}`;
    const rekey = run(["rekey"], { FACEDRIFT_ARCHIVE_KEYS: `${newKey},${localKey}` });
    expect(rekey.status).toBe(0);
    expect(rekey.stdout).toContain("re-wrapped 1, sealed 0, already under archive-2026-12 0, failed 0");
    expect(sealedFiles()).toHaveLength(1);
    const verify = run(["verify"], { FACEDRIFT_ARCHIVE_KEYS: newKey });
    expect(verify.status).toBe(0);
    expect(verify.stderr).toMatch(/^\[1\/1\] ok\s+lobby 2026-01-05 2 rows, key archive-2026-12$/m);
    expect(verify.stdout).toContain("verified 1 of 1 archived days");

    const restore = run(["restore", "--stream", "lobby", "--day", "2026-01-05", "--hold", "2"], {
      FACEDRIFT_ARCHIVE_KEYS: newKey,
    });
    expect(restore.status).toBe(0);
    expect(restore.stdout).toMatch(/restored 2 rows of lobby 2026-01-05 \(skipped 0 already present\)/);
  }, 240_000);
});
