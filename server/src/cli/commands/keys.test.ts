import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../../bin/facedrift.mjs");
const dataDir = mkdtempSync(join(tmpdir(), "facedrift-cli-"));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, "--data-dir", dataDir], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, DATABASE_URL: "" },
  });

describe("facedrift keys (the real binary, embedded database)", () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("creates, lists and revokes keys; the secret is printed only at creation", () => {
    const created = run("keys", "create", "--name", "camera", "--scopes", "ingest,read");
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    const secret = /secret \(shown once\): (fd_\S+)/.exec(created.stdout)?.[1];
    expect(secret).toMatch(/^fd_[A-Za-z0-9_-]{43}$/);

    // Named by the public id the API gives it (a 52-bit permutation of row id 1), not by 1.
    const id = /^created key (\d+) /m.exec(created.stdout)?.[1];
    expect(Number(id)).toBeGreaterThan(2 ** 20);
    const listed = run("keys", "list");
    expect(listed.stdout).toMatch(
      new RegExp(`^${id}\\tfd_\\S+…\\tingest,read\\tcamera\\tlast used never$`, "m"),
    );
    expect(listed.stdout).not.toContain(secret);

    expect(run("keys", "revoke", "1").status).toBe(1);
    const revoked = run("keys", "revoke", String(id));
    expect(revoked.stdout).toContain(`revoked key ${id} (camera)`);
    expect(run("keys", "list").stdout).toMatch(/camera\trevoked /);
  }, 120_000);

  it("refuses an unknown scope", () => {
    const result = run("keys", "create", "--name", "x", "--scopes", "root");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/unknown scope "root"/);
  }, 60_000);
});
