/**
 * @module
 * The servers a load run drives: the real `facedrift serve` process on a fresh database — the
 * embedded PGlite (`pglite`); PGlite served over the PostgreSQL wire protocol from a process of its
 * own (`pglite-socket`: postgres.js, one connection, no binary COPY); the real PostgreSQL with
 * pgvector (`postgres`), on a cluster of the run's own (`server/src/db/testing/own-postgres.ts`,
 * so its settings are the run's to choose and record, and the shared server on 5432 is left
 * alone); and two servers on that one database (`postgres-2`). After the run, `finish()` stops the
 * servers gracefully and reads what the database holds for the exactly-once check.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../../src/db/database.ts";
import { openPglite } from "../../src/db/pglite.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import { freePort, type OwnPostgres, startOwnPostgres } from "../../src/db/testing/own-postgres.ts";
import type { StoredCounts } from "./verify.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const BIN = join(root, "server", "bin", "facedrift.mjs");
/** The wire-protocol server the fault tests use too (spawned by path, not imported). */
const SOCKET_SERVER = join(root, "e2e", "support", "pglite-socket-server.ts");

export const TARGETS = {
  pglite: "facedrift serve on embedded PGlite (one process, database in the server's thread)",
  "pglite-socket":
    "facedrift serve → postgres.js → PGlite over the wire (pglite-socket, own process; one connection, INSERT … unnest)",
  postgres:
    "facedrift serve → postgres.js → PostgreSQL 15 with pgvector (a fresh cluster of the run's own; binary COPY, pool of 10)",
  "postgres-2":
    "two facedrift serve processes on one PostgreSQL 15 database (the client's connections split between them)",
} as const;
export type TargetName = keyof typeof TARGETS;

/**
 * The PostgreSQL settings a `postgres` run uses unless `--pg-settings` replaces them: what
 * docs/deploy recommends for ingest (BENCHMARKS.md has the run with initdb's defaults beside it).
 * Acknowledged means durable either way: `synchronous_commit` and `fsync` stay on.
 */
export const RECOMMENDED_PG_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: "1GB",
  wal_buffers: "64MB",
  // One checkpoint per 60 s run at most: every checkpoint makes the next write of each page a
  // full-page image in the WAL.
  max_wal_size: "16GB",
  checkpoint_timeout: "15min",
  wal_compression: "lz4",
};

export interface RunningTarget {
  readonly name: TargetName;
  /** The first server's URL. */
  readonly url: string;
  /** Every server's URL (two for `postgres-2`). */
  readonly urls: readonly string[];
  readonly adminKey: string;
  /** The first server process, for its memory. */
  readonly pid: number;
  /** Every server process. */
  readonly pids: readonly number[];
  /** The PostgreSQL cluster of a `postgres` target, for its statistics. */
  readonly postgres?: { cluster: OwnPostgres; databaseUrl: string };
  /** Stops the servers (SIGTERM, so in-flight requests finish) and counts the streams' rows. */
  finish(streams: string | readonly string[]): Promise<StoredCounts>;
  /** Kills whatever still runs and deletes the data. */
  close(): Promise<void>;
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

/** Counts the streams' rows, distinct ids, ledger ids and rows per request. */
export async function countStored(
  database: Database,
  stream: string | readonly string[],
): Promise<StoredCounts> {
  const names = typeof stream === "string" ? [stream] : [...stream];
  const found = await queryRows<{ id: string }>(
    database.db,
    sql`SELECT id::text AS id FROM streams WHERE name IN ${sql.raw(`(${names.map((n) => `'${n.replaceAll("'", "''")}'`).join(", ")})`)}`,
  );
  if (found.length === 0) return { rows: 0, distinctIds: 0, ledgerIds: 0, byRequest: new Map() };
  const ids = sql.raw(`(${found.map((row) => Number(row.id)).join(", ")})`);
  const [totals] = await queryRows<{ rows: number; distinct_ids: number }>(
    database.db,
    sql`SELECT count(*)::int AS rows, count(DISTINCT client_id)::int AS distinct_ids
        FROM embeddings WHERE stream_id IN ${ids}`,
  );
  const [ledger] = await queryRows<{ ids: number }>(
    database.db,
    sql`SELECT count(*)::int AS ids FROM embedding_ids WHERE stream_id IN ${ids}`,
  );
  // Item ids are r<request>-<index> (body.ts); an id of any other shape groups under NULL → NaN.
  const groups = await queryRows<{ request: string | null; n: number }>(
    database.db,
    sql`SELECT substring(client_id from '^r([0-9]+)-[0-9]+$') AS request, count(*)::int AS n
        FROM embeddings WHERE stream_id IN ${ids} GROUP BY 1`,
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
  options: { pgSettings?: Record<string, string> } = {},
): Promise<RunningTarget> {
  const dir = mkdtempSync(join(tmpdir(), `facedrift-load-${name}-`));
  const adminKey = "fd_load_test_admin_key_2f6b9d1e8c37a5";
  let socketServer: ChildProcess | undefined;
  let cluster: OwnPostgres | undefined;
  let databaseUrl: string | undefined;
  const servers: ChildProcess[] = [];
  const close = async () => {
    for (const server of servers) await stopChild(server, "SIGKILL");
    await stopChild(socketServer, "SIGKILL");
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (name === "pglite-socket") {
      const dbPort = await freePort();
      socketServer = await startSocketServer(join(dir, "db"), dbPort);
      databaseUrl = `postgres://postgres@127.0.0.1:${dbPort}/postgres?pool_max=1&binary_copy=off`;
    } else if (name === "postgres" || name === "postgres-2") {
      cluster = await startOwnPostgres({
        settings: {
          ...(options.pgSettings ?? RECOMMENDED_PG_SETTINGS),
          // Where the database's time goes, per statement (read by observe.ts).
          shared_preload_libraries: "pg_stat_statements",
          "pg_stat_statements.track": "all",
        },
      });
      const admin = openPostgres(cluster.url, { max: 1 });
      try {
        await admin.client.unsafe("CREATE DATABASE facedrift");
      } finally {
        await admin.close();
      }
      databaseUrl = cluster.databaseUrl("facedrift");
      const db = openPostgres(databaseUrl, { max: 1 });
      try {
        await db.client.unsafe("CREATE EXTENSION pg_stat_statements");
      } finally {
        await db.close();
      }
    }
    const count = name === "postgres-2" ? 2 : 1;
    const dataDir = join(dir, "data");
    const urls: string[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
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
      servers.push(server);
      // One at a time: each migrates the database at start (the second finds it done).
      await waitReady(url, server, tail(server));
      urls.push(url);
    }
    const finish = async (stream: string | readonly string[]) => {
      for (const server of servers) await stopChild(server, "SIGTERM");
      const database = databaseUrl ? openPostgres(databaseUrl) : await openPglite(dataDir);
      try {
        return await countStored(database, stream);
      } finally {
        await database.close();
      }
    };
    return {
      name,
      url: urls[0] as string,
      urls,
      adminKey,
      pid: servers[0]?.pid as number,
      pids: servers.map((server) => server.pid as number),
      ...(cluster && databaseUrl ? { postgres: { cluster, databaseUrl } } : {}),
      finish,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
