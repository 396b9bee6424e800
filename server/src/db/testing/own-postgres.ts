/**
 * @module
 * Test and benchmark support (not a test): a throwaway PostgreSQL cluster of one's own — `initdb`
 * into a temporary folder and `pg_ctl` on a free port — for what must never be done to the shared
 * server on 127.0.0.1:5432: stopping it (fast or immediate shutdown) under load, or running it
 * with settings of one's choosing. pgvector installed into the machine's PostgreSQL
 * (`../shared/tools/install-pgvector`) serves every cluster of that version, so migrations'
 * `CREATE EXTENSION vector` works here too.
 *
 * `initdb` refuses to run as root, so under root (CI) the cluster belongs to the `postgres` user
 * and every command runs through `runuser -u postgres`. The cluster listens on 127.0.0.1 only,
 * trusts local connections (a test server), and is stopped with an immediate shutdown if the
 * process exits without closing it.
 */
import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The folder holding `initdb` and `pg_ctl`: `FACEDRIFT_TEST_PG_BIN`, else the newest Debian one. */
export function postgresBinDir(): string | null {
  const explicit = process.env.FACEDRIFT_TEST_PG_BIN;
  if (explicit) return existsSync(join(explicit, "initdb")) ? explicit : null;
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], "bin");
  }
  const fromConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const dir = fromConfig.status === 0 ? fromConfig.stdout.trim() : "";
  return dir && existsSync(join(dir, "initdb")) ? dir : null;
}

const isRoot = () => process.getuid?.() === 0;

/** The `postgres` user's uid and gid, when the process is root and must run the cluster as it. */
function postgresUser(): { uid: number; gid: number } | null {
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Whether pgvector is installed for the PostgreSQL whose binaries are in `bin`. */
function hasPgvector(bin: string): boolean {
  const share = spawnSync(join(bin, "pg_config"), ["--sharedir"], { encoding: "utf8" });
  const dir = share.status === 0 ? share.stdout.trim() : "";
  return dir !== "" && existsSync(join(dir, "extension", "vector.control"));
}

/** Why an own cluster with pgvector cannot be started here, or null when it can. */
export function ownPostgresUnavailableBecause(): string | null {
  const bin = postgresBinDir();
  if (!bin) return "no PostgreSQL server binaries (initdb, pg_ctl) found";
  if (!hasPgvector(bin)) return `the PostgreSQL in ${bin} has no pgvector (../shared/tools/install-pgvector)`;
  if (isRoot() && !postgresUser()) return "running as root and there is no postgres user to run initdb as";
  return null;
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export type ShutdownMode = "smart" | "fast" | "immediate";

export interface OwnPostgres {
  /** The cluster's `postgres` database as superuser `postgres`. */
  readonly url: string;
  readonly port: number;
  /** The data directory (its `postmaster.pid` names the server process, for CPU accounting). */
  readonly dataDir: string;
  /** The settings it runs with beyond initdb's defaults (name → value), for reports. */
  readonly settings: Readonly<Record<string, string>>;
  /** `pg_ctl start -w` (after `stop`, with crash recovery when the stop was immediate). */
  start(): Promise<void>;
  /** `pg_ctl stop -m <mode> -w`. */
  stop(mode: ShutdownMode): Promise<void>;
  /** The URL of another database of the cluster. */
  databaseUrl(name: string): string;
  /** The server log so far, for failure messages. */
  log(): string;
  /** Immediate shutdown and the folder deleted. */
  destroy(): Promise<void>;
}

/**
 * initdb + start. `settings` go to the server as `-c name=value` (e.g. `shared_buffers: "1GB"`).
 * `fsync` stays on unless the caller turns it off: the restart fault relies on crash recovery.
 */
export async function startOwnPostgres(
  options: { settings?: Record<string, string> } = {},
): Promise<OwnPostgres> {
  const reason = ownPostgresUnavailableBecause();
  if (reason) throw new Error(`cannot start a PostgreSQL cluster of our own: ${reason}`);
  const bin = postgresBinDir() as string;
  const owner = isRoot() ? postgresUser() : null;
  // Under root the cluster's owner must reach its folder: root's TMPDIR may sit under /root (0700).
  const dir = mkdtempSync(join(owner ? "/tmp" : tmpdir(), "facedrift-own-pg-"));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  const port = await freePort();
  const settings = { ...(options.settings ?? {}) };
  // Run as the cluster's owner: initdb and the postmaster refuse root. Asynchronous, so clients
  // the caller runs keep going while the server stops and starts.
  const run = async (program: string, args: string[]) => {
    const [command, full] = owner
      ? ["runuser", ["-u", "postgres", "--", join(bin, program), ...args]]
      : [join(bin, program), args];
    try {
      await execFileAsync(command, full, { encoding: "utf8", cwd: dir });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${program} ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`);
    }
  };
  const serverOptions = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    // The socket goes in the cluster's own folder, not /var/run/postgresql (the shared server's).
    `-c unix_socket_directories=${dir}`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(" ");
  let running = false;
  const stop = async (mode: ShutdownMode) => {
    await run("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
    running = false;
  };
  const start = async () => {
    await run("pg_ctl", ["-D", data, "-l", logFile, "-o", serverOptions, "-w", "-t", "120", "start"]);
    running = true;
  };
  // A test runner that dies before destroy() must not leave a postmaster behind.
  const onExit = () => {
    if (!running) return;
    const args = ["-D", data, "-m", "immediate", "stop"];
    if (owner) spawnSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...args]);
    else spawnSync(join(bin, "pg_ctl"), args);
  };
  process.once("exit", onExit);
  try {
    await run("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--no-sync",
      "--no-instructions",
    ]);
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    process.off("exit", onExit);
    throw error;
  }
  const databaseUrl = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    url: databaseUrl("postgres"),
    port,
    dataDir: data,
    settings,
    start,
    stop,
    databaseUrl,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async destroy() {
      if (running) await stop("immediate").catch(() => {});
      process.off("exit", onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
