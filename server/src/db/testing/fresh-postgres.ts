/**
 * Test support (not a test): a fresh database with pgvector on the machine's real PostgreSQL,
 * migrated like production, for suites that run on both drivers (`*.case.ts` files run from a
 * PGlite test and a `*.postgres.test.ts`). Each call makes its own database, so suites running at
 * the same time never see each other's rows; `drop()` removes it.
 */
import postgres from "postgres";
import { reachable, TEST_PG_URL } from "../../streaming/testing/postgres.ts";
import type { Database } from "../database.ts";
import { migrateDatabase } from "../migrate.ts";
import { openPostgres } from "../postgres.ts";

export interface FreshPostgres {
  database: Database;
  url: string;
  drop(): Promise<void>;
}

/** The server's maintenance database, where databases are created and dropped from. */
function adminUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.pathname = "/postgres";
  return url.toString();
}

/** True when the test server answers and has pgvector to install. */
export async function postgresWithPgvector(baseUrl = TEST_PG_URL): Promise<boolean> {
  if (!(await reachable(baseUrl))) return false;
  const admin = postgres(adminUrl(baseUrl), { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`;
    return (row?.n ?? 0) > 0;
  } catch {
    return false;
  } finally {
    await admin.end();
  }
}

export async function freshPostgres(prefix: string, baseUrl = TEST_PG_URL): Promise<FreshPostgres> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const admin = postgres(adminUrl(baseUrl), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString(), { max: 4 });
  await migrateDatabase(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const cleanup = postgres(adminUrl(baseUrl), { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
