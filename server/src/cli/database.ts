import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openDatabase } from "../db/open.ts";
import { FacedriftError } from "../errors.ts";

export interface WithDatabaseOptions {
  /**
   * May this command make a new embedded database? Only those that set one up (`migrate`,
   * `keys create`, `users create`) may; the rest refuse a folder without one, so a mistyped
   * `--data-dir` is an error naming it instead of a fresh, empty database where nothing exists.
   */
  create?: boolean;
}

/** Opens the configured database, brings its schema up to date, runs `work`, and closes it. */
export async function withDatabase<T>(
  config: Config,
  work: (database: Database) => Promise<T>,
  { create = false }: WithDatabaseOptions = {},
): Promise<T> {
  if (!config.databaseUrl && !create && !existsSync(join(config.dataDir, "PG_VERSION"))) {
    throw new FacedriftError(
      "not_found",
      `no embedded database in ${resolve(config.dataDir)} (facedrift serve creates one there; is --data-dir right, or did you mean --database-url?)`,
      { field: "data-dir" },
    );
  }
  const database = await openDatabase(config);
  try {
    await migrateDatabase(database);
    return await work(database);
  } catch (error) {
    // "stream lobby does not exist" is only useful with the database it was looked up in.
    if (error instanceof FacedriftError && error.code === "not_found") {
      throw new FacedriftError("not_found", `${error.message} in ${describe(database)}`, {
        ...(error.field === undefined ? {} : { field: error.field }),
        cause: error,
      });
    }
    throw error;
  } finally {
    await database.close();
  }
}

function describe(database: Database): string {
  return database.driver === "pglite"
    ? `the embedded database in ${resolve(database.location)} (another one: --data-dir)`
    : `the PostgreSQL database ${database.location}`;
}
