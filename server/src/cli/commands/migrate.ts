import type { Command } from "commander";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

export function registerMigrate(program: Command): void {
  databaseOptions(
    program.command("migrate").description("create or update the database schema, then exit"),
  ).action(async (options) => {
    const config = configFrom(options);
    await withDatabase(
      config,
      async (database) => {
        console.log(`schema is up to date (${database.driver}: ${database.location})`);
      },
      { create: true },
    );
  });
}
