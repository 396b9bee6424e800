/**
 * The command-line mistakes a new user makes in the first hour (issue 13): each answers in one
 * line on stderr and a non-zero status, promptly — the real binary, the embedded database.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../bin/facedrift.mjs");
const root = mkdtempSync(join(tmpdir(), "facedrift-first-hour-"));
const env = { ...process.env, DATABASE_URL: "", PORT: "", FACEDRIFT_ADMIN_KEY: "" };

/** Runs the binary; `status` is null only when it had to be killed (it hung). */
function run(args: string[], timeout = 90_000) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout, env, cwd: root });
  return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout };
}

function expectOneLine(result: { status: number | null; stderr: string }, pattern: RegExp) {
  expect(result.status).not.toBeNull();
  expect(result.status).not.toBe(0);
  expect(result.stderr.split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

describe("facedrift's first-hour mistakes (the real binary)", { timeout: 180_000 }, () => {
  const dataDir = join(root, "db");
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    expect(run(["keys", "create", "--name", "setup", "--data-dir", dataDir]).status).toBe(0);
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    busyPort = (busy.address() as { port: number }).port;
  }, 120_000);
  afterAll(() => {
    busy?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("serve --port 99999: one line, before opening anything", () => {
    const result = run(["serve", "--port", "99999", "--data-dir", join(root, "never")]);
    expectOneLine(result, /--port.*99999.*integer from 1 to 65535/);
    expect(existsSync(join(root, "never"))).toBe(false);
  });

  it("serve on a port in use: one line naming the port, no stack trace, the database released", () => {
    const result = run(["serve", "--port", String(busyPort), "--host", "127.0.0.1", "--data-dir", dataDir]);
    expectOneLine(result, new RegExp(`port ${busyPort} on 127.0.0.1 is already in use.*--port`));
    // Released: the next command opens the folder.
    expect(run(["keys", "list", "--data-dir", dataDir]).status).toBe(0);
  });

  it("keys list --data-dir /typo: refused, naming the folder, and nothing created there", () => {
    const typo = join(root, "typo");
    const result = run(["keys", "list", "--data-dir", typo]);
    expectOneLine(result, new RegExp(`no embedded database in ${typo}.*--data-dir`));
    expect(existsSync(typo)).toBe(false);
  });

  it("reference fit of a stream the database does not have names the database it looked in", () => {
    const result = run(["reference", "fit", "--stream", "lobby", "--last", "100", "--data-dir", dataDir]);
    expectOneLine(result, new RegExp(`stream "lobby" does not exist in the embedded database in ${dataDir}`));
  });

  it("demo --shift abc: one line, nothing started", () => {
    // One line also means no "starting facedrift serve on …": it stopped before starting anything.
    expectOneLine(run(["demo", "--shift", "abc"]), /--shift.*abc.*number from/);
  });
});
