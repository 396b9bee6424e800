/**
 * Two processes migrating one real PostgreSQL at the same moment, as replicas do at start. The
 * Facedrift migrations need pgvector, which this machine's server lacks, so the race is run with
 * drizzle's own migrator on a small migrations folder written here: the mechanism under test
 * (`migrateRacingOthers` around drizzle's migrator) is the one `migrateDatabase` uses.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reachable, TEST_PG_URL } from "../streaming/testing/postgres.ts";
import { migrateRacingOthers } from "./migrate.ts";

const available = await reachable(TEST_PG_URL);

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
