/**
 * Migrations on the real PostgreSQL with pgvector, each test on a fresh database: the Facedrift
 * migrations from an empty database, and several replicas migrating one database at the same
 * moment (pools in this process, and `facedrift migrate` processes). The race mechanism itself
 * (`migrateRacingOthers` around drizzle's migrator) is also shown on a small migrations folder
 * written here, with and without the retry.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PG_URL } from "../streaming/testing/postgres.ts";
import { MIGRATIONS_FOLDER, migrateDatabase, migrateRacingOthers } from "./migrate.ts";
import { openPostgres } from "./postgres.ts";
import { createPostgresTestDatabase, postgresAvailable } from "./testing/postgres-database.ts";

const available = postgresAvailable;

/** A drizzle-kit style folder: one migration that creates a table and index, slowly. */
function writeMigrations(): string {
  const folder = mkdtempSync(join(tmpdir(), "facedrift-migrations-"));
  mkdirSync(join(folder, "meta"));
  writeFileSync(
    join(folder, "meta", "_journal.json"),
    JSON.stringify({
      version: "7",
      dialect: "postgresql",
      entries: [{ idx: 0, version: "7", when: 1_700_000_000_000, tag: "0000_race", breakpoints: true }],
    }),
  );
  // The sleep holds the winner's transaction open so both processes are inside the race.
  writeFileSync(
    join(folder, "0000_race.sql"),
    [
      "CREATE TABLE race_items (id bigint PRIMARY KEY, note text);",
      "CREATE INDEX race_items_note_idx ON race_items (note);",
      "SELECT pg_sleep(0.4);",
    ].join("\n--> statement-breakpoint\n"),
  );
  return folder;
}

describe.skipIf(!available)("migrating from two processes at once (real PostgreSQL)", () => {
  const schemas: string[] = [];
  let folder: string;
  const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });

  beforeAll(() => {
    folder = writeMigrations();
  });
  afterAll(async () => {
    for (const schema of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Two independent pools (as two processes have) on a fresh schema. */
  async function twoProcesses() {
    const schema = `migrate_race_${process.pid}_${schemas.length}`;
    schemas.push(schema);
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    const url = `${TEST_PG_URL}?search_path=${schema}`;
    const clients = [0, 1].map(() => postgres(url, { max: 2, onnotice: () => {} }));
    const run = (i: number) => () =>
      migrate(drizzle({ client: clients[i] as postgres.Sql }), {
        migrationsFolder: folder,
        migrationsSchema: schema,
      });
    const applied = async () =>
      (await admin.unsafe(`SELECT count(*)::int AS n FROM ${schema}.__drizzle_migrations`))[0]?.n as number;
    const close = () => Promise.all(clients.map((c) => c.end()));
    return { run, applied, close };
  }

  it("without the retry, the slower process fails on the objects the faster one created", async () => {
    const { run, applied, close } = await twoProcesses();
    try {
      const results = await Promise.allSettled([run(0)(), run(1)()]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect(await applied()).toBe(1);
    } finally {
      await close();
    }
  });

  it("with the retry, both succeed and the migration is recorded once", async () => {
    const { run, applied, close } = await twoProcesses();
    try {
      await Promise.all([migrateRacingOthers(run(0)), migrateRacingOthers(run(1))]);
      expect(await applied()).toBe(1);
    } finally {
      await close();
    }
  });

  it("does not retry errors that are not a lost race", async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      throw Object.assign(new Error("syntax error"), { code: "42601" });
    };
    await expect(migrateRacingOthers(failing, { delayMs: 1 })).rejects.toThrow("syntax error");
    expect(calls).toBe(1);
  });
});

describe.skipIf(!postgresAvailable)("the Facedrift migrations on PostgreSQL with pgvector", () => {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  const BIN = join(import.meta.dirname, "..", "..", "bin", "facedrift.mjs");

  async function schemaOf(url: string) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [counts] = await sql<
        { migrations: number; tables: number; vector: number; partitions: number }[]
      >`
        SELECT (SELECT count(*)::int FROM drizzle.__drizzle_migrations) AS migrations,
               (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public') AS tables,
               (SELECT count(*)::int FROM pg_extension WHERE extname = 'vector') AS vector,
               (SELECT count(*)::int FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent
                 WHERE c.relname = 'embeddings') AS partitions`;
      return counts;
    } finally {
      await sql.end();
    }
  }

  it("migrates an empty database to the current schema, and again as a no-op", async () => {
    const fresh = await createPostgresTestDatabase("migrate_empty");
    const database = openPostgres(fresh.url, { max: 2 });
    try {
      await migrateDatabase(database);
      const first = await schemaOf(fresh.url);
      expect(first).toMatchObject({ migrations: journal.entries.length, vector: 1 });
      expect(first?.tables).toBeGreaterThan(15);
      expect(first?.partitions).toBeGreaterThan(0);
      await migrateDatabase(database);
      expect(await schemaOf(fresh.url)).toEqual(first);
    } finally {
      await database.close();
      await fresh.drop();
    }
  });

  it("lets several replicas migrate one empty database at once: pools in one process", async () => {
    const fresh = await createPostgresTestDatabase("migrate_pools");
    const replicas = [0, 1, 2].map(() => openPostgres(fresh.url, { max: 2 }));
    try {
      await Promise.all(replicas.map((replica) => migrateDatabase(replica)));
      expect(await schemaOf(fresh.url)).toMatchObject({ migrations: journal.entries.length, vector: 1 });
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await fresh.drop();
    }
  });

  it("lets several replicas migrate one empty database at once: `facedrift migrate` processes", async () => {
    const fresh = await createPostgresTestDatabase("migrate_processes");
    try {
      const run = () =>
        new Promise<{ code: number | null; output: string }>((resolve) => {
          const child = spawn(process.execPath, [BIN, "migrate", "--database-url", fresh.url], {
            stdio: ["ignore", "pipe", "pipe"],
          });
          let output = "";
          child.stdout.on("data", (chunk) => (output += chunk));
          child.stderr.on("data", (chunk) => (output += chunk));
          child.on("exit", (code) => resolve({ code, output }));
        });
      const results = await Promise.all([run(), run()]);
      for (const result of results) {
        expect(result.output).toContain("schema is up to date (postgres");
        expect(result.code).toBe(0);
      }
      expect(await schemaOf(fresh.url)).toMatchObject({ migrations: journal.entries.length, vector: 1 });
    } finally {
      await fresh.drop();
    }
  }, 120_000);
});
