/**
 * `facedrift stream models|candidate set|promote|drop` on the real binary and an embedded
 * database: a candidate with the registry's dimension, refusals in one line, promotion.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY0, ingestAt, synthetic } from "../../batch/testing/fixture.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { openPglite } from "../../db/pglite.ts";
import { ensureTenant } from "../../services/tenants/default.ts";
import { parseModelOption } from "./stream.ts";

const bin = join(import.meta.dirname, "../../../bin/facedrift.mjs");
const dataDir = mkdtempSync(join(tmpdir(), "facedrift-stream-cli-"));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, "--data-dir", dataDir], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, DATABASE_URL: "" },
  });
const roles = (stdout: string) =>
  (JSON.parse(stdout).tracks as { name: string; role: string }[]).map((t) => `${t.name}:${t.role}`);

describe("parseModelOption", () => {
  it("takes a built-in model's dimension from the registry", () => {
    expect(parseModelOption("faceplugin-feature512@0.0.1").dimension).toBe(512);
  });
  it("names the field it cannot fill", () => {
    expect(() => parseModelOption("mine@1")).toThrow(/^--dimension/);
    expect(() => parseModelOption("no-version")).toThrow(/^--model/);
    expect(parseModelOption("mine@1", 64)).toEqual({ model: { id: "mine", version: "1" }, dimension: 64 });
  });
});

describe("facedrift stream (the real binary, embedded database)", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const database = await openPglite(dataDir);
    await migrateDatabase(database);
    const tenantId = await ensureTenant(database.db);
    await ingestAt(database, tenantId, "cam", synthetic.sample(50, 1), DAY0, "d0");
    await database.close();
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("sets, refuses and promotes a candidate", () => {
    expect(roles(run("stream", "models", "--stream", "cam").stdout)).toEqual(["cam:current"]);

    const bad = run("stream", "candidate", "set", "--stream", "cam", "--model", "mine@1");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--dimension/);

    const set = run(
      "stream",
      "candidate",
      "set",
      "--stream",
      "cam",
      "--model",
      "mine@1",
      "--dimension",
      "64",
    );
    expect(set.stderr).toBe("");
    expect(roles(set.stdout)).toEqual(["cam:current", "cam~mine@1:candidate"]);

    // Without a reference on the candidate, promotion is refused and nothing changes.
    const early = run("stream", "candidate", "promote", "--stream", "cam");
    expect(early.status).not.toBe(0);
    expect(early.stderr).toMatch(/no active reference/);
    expect(roles(run("stream", "models", "--stream", "cam").stdout)).toEqual([
      "cam:current",
      "cam~mine@1:candidate",
    ]);

    const dropped = run("stream", "candidate", "drop", "--stream", "cam");
    expect(roles(dropped.stdout)).toEqual(["cam:current", "cam~mine@1:retired"]);
  });
});
