import type { Command } from "commander";
import { migrateDatabase } from "../../db/migrate.ts";
import { openDatabase } from "../../db/open.ts";
import { jsonLogger } from "../../log.ts";
import { serveReplicaHealth } from "../../replica/health-server.ts";
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
    .option(
      "--health-port <n>",
      "answer GET /healthz (job loop alive) and /readyz (browser open, database reachable) on this port, for probes",
      positive("--health-port"),
    )
    .option(
      "--stall-ms <n>",
      "with --health-port: /healthz fails after this long without a poll or an embedded image (default 600000)",
      positive("--stall-ms"),
    )
    .action(async (options) => {
      const config = configFrom(options);
      const log = jsonLogger();
      const database = await openDatabase(config);
      await migrateDatabase(database);
      await sealSecretsAtStart(database.db, config, log);
      const replica = startReplica(database, config, log, {
        leaseMs: options.leaseMs,
        pollMs: options.pollMs,
        stallMs: options.stallMs,
      });
      const probes =
        options.healthPort === undefined
          ? undefined
          : await serveReplicaHealth(() => replica.health(), { port: options.healthPort, host: config.host });
      log("info", "replica started", {
        database: database.driver,
        at: database.location,
        ...(probes ? { healthPort: probes.port } : {}),
      });
      const stop = (signal: string) => {
        log("info", "replica stopping", { signal });
        replica
          .stop()
          .then(() => probes?.close())
          .then(() => database.close())
          .finally(() => process.exit(0));
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
}
