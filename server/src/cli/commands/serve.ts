import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import type { Command } from "commander";
import { dispatchNotification } from "../../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../../alerts/drizzle-store.ts";
import { BatchScheduler } from "../../batch/scheduler.ts";
import { dashboardBaseUrl } from "../../config/config.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { openDatabase } from "../../db/open.ts";
import { ensureEmbeddingPartitions } from "../../db/partitions.ts";
import { createApp } from "../../http/app.ts";
import { CalmSweeper } from "../../incidents/calm.ts";
import { jsonLogger } from "../../log.ts";
import { createMetrics } from "../../metrics/metrics.ts";
import { archiveExpired } from "../../retention/archive.ts";
import { archiveKeysFor, archiveStoreFor } from "../../retention/store-from-config.ts";
import { bootstrapAdminKey } from "../../services/api-keys/bootstrap.ts";
import { streamingMetricsSnapshot } from "../../streaming/metrics.ts";
import { readAfterByCopy } from "../../streaming/read.ts";
import { StreamingWorker } from "../../streaming/worker.ts";
import { verificationSettingsOf } from "../../verification/queue.ts";
import { configFrom, databaseOptions, sealSecretsAtStart } from "../options.ts";

const HOUR_MS = 3_600_000;

export function registerServe(program: Command): void {
  databaseOptions(program.command("serve").description("run the HTTP API"))
    .option("--port <n>", "port (env PORT, default 8080)", (v) => Number.parseInt(v, 10))
    .option("--host <addr>", "address to bind (env HOST, default 0.0.0.0)")
    .option("--no-scheduler", "do not run scheduled batch checks in this process")
    .option("--no-streaming", "do not run the streaming (PC1/ADWIN) detector in this process")
    .option(
      "--no-retention",
      "do not archive days past retention here (when `facedrift archive` runs from a CronJob instead)",
    )
    .option(
      "--replica",
      "also embed uploaded images and run verification jobs in headless Chromium here (how on the embedded database)",
    )
    .action(async (options) => {
      const config = configFrom(options);
      const log = jsonLogger();
      const database = await openDatabase(config);
      await migrateDatabase(database);
      await sealSecretsAtStart(database.db, config, log);
      const { generatedSecret } = await bootstrapAdminKey(database.db, config.adminKey);
      if (generatedSecret) {
        // Printed once, on stderr and outside the JSON log stream, so log shipping does not keep it.
        process.stderr.write(
          `\nFirst start: created an admin API key for the default tenant. It is shown only now:\n\n  ${generatedSecret}\n\n` +
            "Set FACEDRIFT_ADMIN_KEY to choose your own instead.\n\n",
        );
      }
      // Hourly: keep a week of partitions ahead, so a long-running server never meets a day
      // without one, and archive (Parquet, verified) then delete the days past retention.
      const archiveStore = archiveStoreFor(config);
      const retains = options.retention && config.retentionDays !== undefined;
      if (retains && config.databaseUrl && config.archiveKeys.length === 0) {
        log(
          "warn",
          "retention cannot archive: archives are encrypted and FACEDRIFT_ARCHIVE_KEYS is not set",
          {
            hint: "FACEDRIFT_ARCHIVE_KEYS=archive-1:$(openssl rand -base64 32); rows past retention stay until then",
          },
        );
      }
      const maintain = async () => {
        const now = new Date();
        await ensureEmbeddingPartitions(database.db, now);
        if (retains && config.retentionDays !== undefined) {
          const report = await archiveExpired(database, {
            store: archiveStore,
            keys: archiveKeysFor(config),
            retentionDays: config.retentionDays,
            now,
          });
          const mismatched = report.days.filter((d) => d.status === "mismatch");
          if (report.days.length > 0) {
            log(mismatched.length > 0 ? "warn" : "info", "retention", {
              archivedDays: report.days.length,
              deletedRows: report.deletedRows,
              droppedPartitions: report.droppedPartitions,
              mismatched: mismatched.map((d) => `${d.stream}/${d.day}`),
            });
          }
        }
      };
      const maintenance = setInterval(() => {
        maintain().catch((error) => log("error", "maintenance failed", { error: String(error) }));
      }, HOUR_MS);
      maintenance.unref();

      // Every replica may run one: slots are queued once and each job is claimed by one replica.
      const scheduler = options.scheduler
        ? new BatchScheduler({
            database,
            owner: `${hostname()}:${process.pid}`,
            log,
            dashboardBaseUrl: dashboardBaseUrl(config),
            verifyOnDrift: config.verifyOnDrift ? verificationSettingsOf(config) : null,
          })
        : undefined;
      scheduler?.start();

      // Every replica may run one too: each stream is processed under one replica's cursor lease.
      const streaming = options.streaming
        ? new StreamingWorker({
            db: database.db,
            read: readAfterByCopy(database),
            log,
            dashboardBaseUrl: dashboardBaseUrl(config),
          })
        : undefined;
      streaming?.start();

      // Every replica sweeps too: an incident calm for its stream's calm period is resolved by one of them.
      const alertStore = createDrizzleAlertStore(database.db);
      const calm = new CalmSweeper({
        database,
        dashboardBaseUrl: dashboardBaseUrl(config),
        log,
        dispatch: (notification) => void dispatchNotification(notification, alertStore, { logger: log }),
      });
      calm.start();

      // PGlite is opened by one process only, so on it the replica runs here or not at all.
      // Imported only when asked for: playwright-core adds seconds to every start otherwise.
      const replica = options.replica
        ? (await import("../../replica/start.ts")).startReplica(database, config, log)
        : undefined;

      const metrics = createMetrics({ db: database.db, streaming: streamingMetricsSnapshot });
      // The web app ships in the same checkout; serve it when it has been built (npm start builds it).
      const webRoot = fileURLToPath(new URL("../../../../web/build", import.meta.url));
      const hasWeb = existsSync(join(webRoot, "200.html"));
      if (!hasWeb) log("info", "web app not built; serving the API only", { hint: "npm run build -w web" });
      const app = createApp({ database, config, log, metrics, webRoot: hasWeb ? webRoot : undefined });
      const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
        // Recorded in the embedded database's lock, so a refused CLI command can point here.
        const local = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
        database.servingAt?.(`http://${local.includes(":") ? `[${local}]` : local}:${info.port}`);
        log("info", "listening", {
          port: info.port,
          host: config.host,
          database: database.driver,
          at: database.location,
        });
      });
      const stop = (signal: string) => {
        log("info", "shutting down", { signal });
        clearInterval(maintenance);
        server.close(() => {
          Promise.all([scheduler?.stop(), streaming?.stop(), replica?.stop(), calm.stop()])
            .then(() => database.close())
            .finally(() => process.exit(0));
        });
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
}
