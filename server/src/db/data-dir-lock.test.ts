import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirLockedError, LOCK_FILE, type LockHolder, lockDataDir } from "./data-dir-lock.ts";
import { openPglite } from "./pglite.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "facedrift-lock-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

function leave(dir: string, holder: Partial<LockHolder>, ageMs = 0): void {
  const path = join(dir, LOCK_FILE);
  writeFileSync(
    path,
    JSON.stringify({
      host: hostname(),
      command: "facedrift serve",
      startedAt: "then",
      token: "old",
      ...holder,
    }),
  );
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

describe("the embedded database's data-directory lock", () => {
  it("refuses a second holder, in this process too, naming the folder, pid and command; free again after release", () => {
    const dir = tempDir();
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid });
    let refused: unknown;
    try {
      lockDataDir(dir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    const message = (refused as Error).message;
    expect(message).toContain(dir);
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).not.toContain("\n");
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir).release();
  });

  it("refuses while the recorded holder runs, and takes over a lock whose holder died", () => {
    const dir = tempDir();
    // The parent of this test process is alive and is not us.
    leave(dir, { pid: process.ppid, command: "facedrift serve --data-dir x" });
    expect(() => lockDataDir(dir)).toThrow(/in use by pid \d+ \(facedrift serve --data-dir x, since then\)/);
    leave(dir, { pid: deadPid() });
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("takes over a reused pid (other start time), our own pid from a previous life, and an unreadable old file", () => {
    const dir = tempDir();
    leave(dir, { pid: process.ppid, processStart: "1" });
    lockDataDir(dir).release();
    leave(dir, { pid: process.pid });
    lockDataDir(dir).release();
    writeFileSync(join(dir, LOCK_FILE), "");
    utimesSync(join(dir, LOCK_FILE), new Date(0), new Date(0));
    lockDataDir(dir).release();
  });

  it("judges another host's lock by its heartbeat", () => {
    const dir = tempDir();
    leave(dir, { pid: 1, host: "elsewhere" }, 1_000);
    expect(() => lockDataDir(dir, { staleAfterMs: 30_000 })).toThrow(/on host elsewhere/);
    leave(dir, { pid: 1, host: "elsewhere" }, 60_000);
    lockDataDir(dir, { staleAfterMs: 30_000 }).release();
  });

  it("notices a lock taken from under it", async () => {
    const dir = tempDir();
    const lost: string[] = [];
    const lock = lockDataDir(dir, { heartbeatMs: 20, onLost: (m) => lost.push(m) });
    leave(dir, { pid: 4242, command: "intruder" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(lost).toEqual([expect.stringMatching(/taken away: it now names pid 4242 \(intruder\)/)]);
    lock.release();
    // Releasing a lost lock leaves the other holder's file alone.
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(4242);
  });

  it("is what openPglite takes: a second open of the folder fails, a closed one opens again", async () => {
    const dir = tempDir();
    const first = await openPglite(dir);
    await expect(openPglite(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await first.close();
    const again = await openPglite(dir);
    await again.close();
  });
});
