import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openDatabase } from "../db/open.ts";

/** Opens the configured database, brings its schema up to date, runs `work`, and closes it. */
export async function withDatabase<T>(config: Config, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(config);
  try {
    await migrateDatabase(database);
    return await work(database);
  } finally {
    await database.close();
  }
}
