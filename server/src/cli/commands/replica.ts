import type { Command } from "commander";
import { migrateDatabase } from "../../db/migrate.ts";
import { openDatabase } from "../../db/open.ts";
import { jsonLogger } from "../../log.ts";
import { startReplica } from "../../replica/start.ts";
import { configFrom, databaseOptions, sealSecretsAtStart } from "../options.ts";

const positive = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
};

/**
 * `facedrift replica`: embeds uploaded images and runs verification jobs in headless Chromium
 * until stopped. Run as many as
 * you like against one PostgreSQL; on the embedded database, which one process opens, use
 * `facedrift serve --replica` instead.
 */
export function registerReplica(program: Command): void {
  databaseOptions(
    program
      .command("replica")
      .description(
        "embed uploaded images and run verification jobs in headless Chromium (the capture worker), job by job",
      ),
  )
    .option(
      "--lease-ms <n>",
      "how long a claimed job is held without renewal (env FACEDRIFT_REPLICA_LEASE_MS, default 60000)",
      positive("--lease-ms"),
    )
    .option("--poll-ms <n>", "pause between polls for jobs when idle (default 1000)", positive("--poll-ms"))
    .action(async (options) => {
      const config = configFrom(options);
      const log = jsonLogger();
      const database = await openDatabase(config);
      await migrateDatabase(database);
      await sealSecretsAtStart(database.db, config, log);
      const replica = startReplica(database, config, log, {
        leaseMs: options.leaseMs,
        pollMs: options.pollMs,
      });
      log("info", "replica started", { database: database.driver, at: database.location });
      const stop = (signal: string) => {
        log("info", "replica stopping", { signal });
        replica
          .stop()
          .then(() => database.close())
          .finally(() => process.exit(0));
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
}
