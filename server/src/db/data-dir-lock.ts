/**
 * @module
 * One process per embedded database. PGlite is PostgreSQL compiled to WebAssembly, running inside
 * whichever process opened it, with no postmaster to keep a second one out (it writes a dummy
 * `postmaster.pid`, pid -42). Two processes on one data directory each keep their own buffers and
 * clog in memory and overwrite each other's pages: one's changes vanish and the folder ends up
 * corrupt (`MultiXactId … has not been created yet`). So whatever opens a data directory first takes
 * `facedrift.lock` in it, and a second opener is refused at once, naming the holder.
 *
 * Node has no `flock`, so this follows PostgreSQL's own `postmaster.pid` recipe: create the file
 * exclusively (`O_EXCL`), record who holds it, and judge a lock left behind by its holder's pid
 * (alive or not, and the same process or a reused pid: the process start time from /proc). A lock
 * from another host (a shared volume) cannot be checked that way; its holder touches the file every
 * few seconds, and one left untouched for `staleAfterMs` is taken over. The holder also re-reads
 * the file on every touch, so a lock taken from under it (by hand, or the narrow race of two
 * takeovers) is noticed and reported through `onLost` instead of going on silently.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";

export const LOCK_FILE = "facedrift.lock";

/** Locks this process holds, by path: a second open in the same process is refused too. */
const heldHere = new Map<string, LockHolder>();

/** What the lock file records about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The holder's command line, as `ps` would show it (short). */
  command: string;
  startedAt: string;
  /** The holder's process start time in clock ticks since boot (Linux), to tell a reused pid. */
  processStart?: string;
  /** Where the holder serves the API, once it listens (for "do it through the server" hints). */
  url?: string;
  /** Random, per acquisition: a lock that no longer carries it was taken from its holder. */
  token: string;
}

/** A second opener of a data directory: the message is one line naming the folder and the holder. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.host === hostname() ? "" : ` on host ${holder.host}`;
    super(
      `${dataDir} is in use by pid ${holder.pid}${where} (${holder.command}, since ${holder.startedAt}); ` +
        "one process at a time may open an embedded database",
    );
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Records where this process serves the API, for the refusal message other processes print. */
  setUrl(url: string): void;
  release(): void;
}

export interface LockOptions {
  /** How often the holder touches and re-checks the file (default 5 s). */
  heartbeatMs?: number;
  /** A lock from another host untouched this long is stale (default 60 s). */
  staleAfterMs?: number;
  /** Called (once) if the lock file stops naming this process: another one has the folder. */
  onLost?: (message: string) => void;
}

/** The command line, shortened: `facedrift serve --data-dir …` rather than node's full paths. */
function currentCommand(): string {
  const args = process.argv.slice(2);
  const script = process.argv[1] ?? "";
  const name = /facedrift(\.mjs)?$/.test(script) ? "facedrift" : script.split("/").pop() || "node";
  return [name, ...args].join(" ").slice(0, 200);
}

/** Field 22 of /proc/<pid>/stat: when the process started, in ticks since boot. Undefined off Linux. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces; fields restart after ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): { holder: LockHolder | null; raw: string; ageMs: number } | null {
  let raw: string;
  let ageMs: number;
  try {
    raw = readFileSync(path, "utf8");
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(raw) as LockHolder;
    return { holder: typeof parsed.pid === "number" ? parsed : null, raw, ageMs };
  } catch {
    return { holder: null, raw, ageMs };
  }
}

/** Whether a lock left in the folder still belongs to a running process. */
function isStale(holder: LockHolder | null, ageMs: number, staleAfterMs: number): boolean {
  // Unreadable: a holder that died between creating and writing the file (it writes at once, so
  // one still being written is younger than a second).
  if (!holder) return ageMs > 2_000;
  if (holder.host !== hostname()) return ageMs > staleAfterMs;
  // Our own pid in a lock we do not hold: a previous life of this pid (a container's pid 1).
  if (holder.pid === process.pid) return true;
  if (!alive(holder.pid)) return true;
  const started = processStart(holder.pid);
  return holder.processStart !== undefined && started !== undefined && started !== holder.processStart;
}

/**
 * Takes the data directory's lock, or throws `DataDirLockedError` naming the running holder. A lock
 * left by a dead holder is taken over.
 */
export function lockDataDir(dataDir: string, options: LockOptions = {}): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const mine = heldHere.get(path);
  if (mine) throw new DataDirLockedError(dir, mine);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: currentCommand(),
    startedAt: new Date().toISOString(),
    processStart: processStart(process.pid),
    token: randomBytes(12).toString("hex"),
  };

  for (let attempt = 0; attempt < 20; attempt++) {
    // Written whole under a private name, then linked into place: link() fails if the lock exists,
    // and the lock is never seen half-written.
    const draft = `${path}.${process.pid}.${holder.token}`;
    writeWhole(draft, holder);
    try {
      linkSync(draft, path);
      unlinkSync(draft);
      heldHere.set(path, holder);
      return held(path, holder, options);
    } catch (error) {
      unlinkSync(draft);
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const found = readHolder(path);
    if (!found) continue; // released between our link and our read
    if (!isStale(found.holder, found.ageMs, staleAfterMs)) {
      if (found.holder) throw new DataDirLockedError(dir, found.holder);
      continue; // being written right now
    }
    removeIfUnchanged(path, found.raw);
  }
  throw new Error(`could not take ${path}: it keeps changing (several processes starting at once?)`);
}

function writeWhole(path: string, holder: LockHolder): void {
  const fd = openSync(path, "wx", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Moves a stale lock aside and deletes it, unless what was moved is not the stale lock that was
 * read (another process took the folder over in between): then it is put back.
 */
function removeIfUnchanged(path: string, staleRaw: string): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (readFileSync(aside, "utf8") !== staleRaw) {
    try {
      linkSync(aside, path);
    } catch {
      // Yet another process created a lock meanwhile; the holder we moved will notice (onLost).
    }
  }
  unlinkSync(aside);
}

function held(path: string, holder: LockHolder, options: LockOptions): DataDirLock {
  let released = false;
  let lost = false;
  const check = () => {
    if (released || lost) return;
    const found = readHolder(path);
    if (found?.holder?.token === holder.token) {
      const now = new Date();
      utimesSync(path, now, now);
      return;
    }
    lost = true;
    heldHere.delete(path);
    clearInterval(timer);
    const by = found?.holder
      ? `pid ${found.holder.pid} (${found.holder.command})`
      : "nobody (the file is gone)";
    options.onLost?.(`the lock on ${path} was taken away: it now names ${by}`);
  };
  const timer = setInterval(() => {
    try {
      check();
    } catch {
      // A transient read error (the folder being backed up, say) is retried on the next beat.
    }
  }, options.heartbeatMs ?? 5_000);
  timer.unref();
  const cleanupOnExit = () => release();
  process.once("exit", cleanupOnExit);
  function release() {
    if (released) return;
    released = true;
    heldHere.delete(path);
    clearInterval(timer);
    process.removeListener("exit", cleanupOnExit);
    const found = readHolder(path);
    if (found?.holder?.token === holder.token) unlinkSync(path);
  }
  return {
    path,
    holder,
    setUrl(url: string) {
      if (released || lost || readHolder(path)?.holder?.token !== holder.token) return;
      holder.url = url;
      const draft = `${path}.${process.pid}.${holder.token}`;
      writeWhole(draft, holder);
      renameSync(draft, path);
    },
    release,
  };
}
