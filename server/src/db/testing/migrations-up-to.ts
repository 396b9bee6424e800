/**
 * @module
 * Test support (not a test): the migrations folder as an older release shipped it, for tests
 * that fill a database at that schema and then migrate it to the current one.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_FOLDER } from "../migrate.ts";

/** A temporary copy of the migrations folder whose journal stops at migration `lastIndex`. */
export function migrationsUpTo(lastIndex: number): string {
  const folder = mkdtempSync(join(tmpdir(), "fd-migrations-"));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= lastIndex);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}
