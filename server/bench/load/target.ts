/**
 * @module
 * The servers a load run drives: the real `facedrift serve` process on a fresh database, either
 * the embedded PGlite (`pglite`) or PGlite served over the PostgreSQL wire protocol from a process
 * of its own (`pglite-socket`: postgres.js, one connection, no binary COPY — the PostgreSQL code
 * path; the machine's PostgreSQL has no pgvector). After the run, `finish()` stops the server
 * gracefully and reads what the database holds for the exactly-once check.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../../src/db/database.ts";
import { openPglite } from "../../src/db/pglite.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import type { StoredCounts } from "./verify.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const BIN = join(root, "server", "bin", "facedrift.mjs");
/** The wire-protocol server the fault tests use too (spawned by path, not imported). */
const SOCKET_SERVER = join(root, "e2e", "support", "pglite-socket-server.ts");

export const TARGETS = {
  pglite: "facedrift serve on embedded PGlite (one process, database in the server's thread)",
  "pglite-socket":
    "facedrift serve → postgres.js → PGlite over the wire (pglite-socket, own process; one connection, INSERT … unnest)",
} as const;
export type TargetName = keyof typeof TARGETS;

export interface RunningTarget {
  readonly name: TargetName;
  readonly url: string;
  readonly adminKey: string;
  /** The server process, for its memory. */
  readonly pid: number;
  /** Stops the server (SIGTERM, so in-flight requests finish) and counts the stream's rows. */
  finish(stream: string): Promise<StoredCounts>;
  /** Kills whatever still runs and deletes the data. */
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/** Keeps the last `limit` characters a child wrote, for error messages (and keeps its pipes drained). */
function tail(child: ChildProcess, limit = 20_000): () => string {
  let text = "";
  const add = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-limit);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return () => text;
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  await exited;
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`facedrift serve exited ${child.exitCode}:\n${output()}`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`facedrift serve was not ready in 120 s:\n${output()}`);
}

async function startSocketServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", SOCKET_SERVER, dataDir, String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = tail(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", () => output().includes("listening") && resolve());
    child.once("exit", (code) => reject(new Error(`pglite-socket exited ${code}:\n${output()}`)));
  });
  return child;
}

/** Counts a stream's rows, distinct ids, ledger ids and rows per request. */
export async function countStored(database: Database, stream: string): Promise<StoredCounts> {
  const [found] = await queryRows<{ id: string }>(
    database.db,
    sql`SELECT id::text AS id FROM streams WHERE name = ${stream}`,
  );
  if (!found) return { rows: 0, distinctIds: 0, ledgerIds: 0, byRequest: new Map() };
  const streamId = Number(found.id);
  const [totals] = await queryRows<{ rows: number; distinct_ids: number }>(
    database.db,
    sql`SELECT count(*)::int AS rows, count(DISTINCT client_id)::int AS distinct_ids
        FROM embeddings WHERE stream_id = ${streamId}`,
  );
  const [ledger] = await queryRows<{ ids: number }>(
    database.db,
    sql`SELECT count(*)::int AS ids FROM embedding_ids WHERE stream_id = ${streamId}`,
  );
  // Item ids are r<request>-<index> (body.ts); an id of any other shape groups under NULL → NaN.
  const groups = await queryRows<{ request: string | null; n: number }>(
    database.db,
    sql`SELECT substring(client_id from '^r([0-9]+)-[0-9]+$') AS request, count(*)::int AS n
        FROM embeddings WHERE stream_id = ${streamId} GROUP BY 1`,
  );
  const byRequest = new Map<number, number>();
  for (const group of groups)
    byRequest.set(group.request === null ? Number.NaN : Number(group.request), group.n);
  return {
    rows: totals?.rows ?? 0,
    distinctIds: totals?.distinct_ids ?? 0,
    ledgerIds: ledger?.ids ?? 0,
    byRequest,
  };
}

/**
 * `env` replaces the load run's settings: the abuse benchmark (`server/bench/abuse/`) runs with
 * the defaults an operator gets, budgets included.
 */
export async function startTarget(
  name: TargetName,
  env: Record<string, string> = {
    // The per-credential budget protects a shared server from one client; here the one
    // client is the load generator, and the budget would cap what is measured.
    FACEDRIFT_RATE_LIMIT_PER_MINUTE: "1000000000",
  },
): Promise<RunningTarget> {
  const dir = mkdtempSync(join(tmpdir(), `facedrift-load-${name}-`));
  const adminKey = "fd_load_test_admin_key_2f6b9d1e8c37a5";
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let socketServer: ChildProcess | undefined;
  let databaseUrl: string | undefined;
  if (name === "pglite-socket") {
    const dbPort = await freePort();
    socketServer = await startSocketServer(join(dir, "db"), dbPort);
    databaseUrl = `postgres://postgres@127.0.0.1:${dbPort}/postgres?pool_max=1&binary_copy=off`;
  }
  const dataDir = join(dir, "data");
  const server = spawn(
    process.execPath,
    [
      BIN,
      "serve",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      ...(databaseUrl ? ["--database-url", databaseUrl] : ["--data-dir", dataDir]),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: "",
        FACEDRIFT_ADMIN_KEY: adminKey,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output = tail(server);
  const close = async () => {
    await stopChild(server, "SIGKILL");
    await stopChild(socketServer, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, server, output);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    name,
    url,
    adminKey,
    pid: server.pid as number,
    async finish(stream) {
      await stopChild(server, "SIGTERM");
      const database = databaseUrl ? openPostgres(databaseUrl) : await openPglite(dataDir);
      try {
        return await countStored(database, stream);
      } finally {
        await database.close();
      }
    },
    close,
  };
}
