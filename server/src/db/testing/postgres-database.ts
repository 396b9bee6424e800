/**
 * @module
 * Test support (not a test): a fresh database on a real PostgreSQL with pgvector for each test or
 * suite, so suites run on the production path and never see each other's rows (other test runs
 * share the server). `FACEDRIFT_TEST_PG_URL` names the server (default the machine's,
 * `postgres://postgres@127.0.0.1:5432/postgres`); a database `fd_<label>_<pid>_<random>` is created
 * on it and dropped (`WITH (FORCE)`) afterwards.
 *
 * Without a reachable server with pgvector the suites are skipped, except under CI (`CI` set),
 * where they fail: CI installs both (`.ci/run`), and a skip there would hide the production path.
 */
import { connect } from "node:net";
import postgres from "postgres";
import type { Database } from "../database.ts";
import { migrateDatabase } from "../migrate.ts";
import { openPostgres, type PostgresOptions } from "../postgres.ts";

export const PG_SERVER_URL =
  process.env.FACEDRIFT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 5432) });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Why real-PostgreSQL suites cannot run here, or null when they can. */
async function unavailableBecause(): Promise<string | null> {
  if (!(await reachable(PG_SERVER_URL))) return `no PostgreSQL answers at ${PG_SERVER_URL}`;
  const sql = postgres(PG_SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`;
    return rows.length === 0
      ? "the PostgreSQL server has no pgvector (../shared/tools/install-pgvector)"
      : null;
  } catch (error) {
    return `PostgreSQL at ${PG_SERVER_URL}: ${(error as Error).message}`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const reason = await unavailableBecause();
if (reason && process.env.CI) throw new Error(`real-PostgreSQL suites cannot run under CI: ${reason}`);

/** Whether the real-PostgreSQL suites run (use with `describe.skipIf(!postgresAvailable)`). */
export const postgresAvailable = reason === null;

/** The drivers a shared suite runs on: PGlite always, PostgreSQL where there is one. */
export const TEST_DRIVERS: readonly ("pglite" | "postgres")[] = postgresAvailable
  ? ["pglite", "postgres"]
  : ["pglite"];

export interface PostgresTestDatabase {
  readonly name: string;
  /** The database's URL (give it to `openPostgres`, `facedrift serve --database-url`, …). */
  readonly url: string;
  /** Drops the database, ending whatever sessions are still connected. */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a fresh, empty database (pgvector not yet created: migrations do that). */
export async function createPostgresTestDatabase(label: string): Promise<PostgresTestDatabase> {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .slice(0, 30);
  const name = `fd_${safe}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(PG_SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  return {
    name,
    url: withDatabase(PG_SERVER_URL, name),
    async drop() {
      const sql = postgres(PG_SERVER_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
  };
}

/**
 * A fresh database opened with postgres.js (a small pool: many suites share the server's
 * connection limit), optionally migrated; `close()` ends the pool and drops the database.
 */
export async function openPostgresTestDatabase(
  label: string,
  { migrate = false, ...options }: PostgresOptions & { migrate?: boolean } = {},
): Promise<{ database: Database; url: string; close(): Promise<void> }> {
  const fresh = await createPostgresTestDatabase(label);
  const database = openPostgres(fresh.url, { max: 4, ...options });
  try {
    if (migrate) await migrateDatabase(database);
  } catch (error) {
    await database.close();
    await fresh.drop();
    throw error;
  }
  return {
    database,
    url: fresh.url,
    close: async () => {
      await database.close().catch(() => {});
      await fresh.drop();
    },
  };
}

/**
 * A fresh, migrated database on `driver`: in-memory PGlite, or a new database on the real
 * PostgreSQL. What shared suites open, so one suite body runs on both. `migrationsFolder`
 * (`migrationsUpTo`) stops at an older release's schema, for migration tests.
 */
export async function openMigratedTestDatabase(
  driver: "pglite" | "postgres",
  label: string,
  migrationsFolder?: string,
): Promise<{ database: Database; close(): Promise<void> }> {
  if (driver === "postgres" && !migrationsFolder) return openPostgresTestDatabase(label, { migrate: true });
  const opened =
    driver === "postgres"
      ? await openPostgresTestDatabase(label)
      : await import("../pglite.ts").then(async ({ openPglite }) => {
          const database = await openPglite();
          return { database, close: () => database.close() };
        });
  try {
    await migrateDatabase(opened.database, new Date(), migrationsFolder);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}
