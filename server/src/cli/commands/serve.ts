import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { dispatchNotification } from "../../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../../alerts/drizzle-store.ts";
import { BatchScheduler } from "../../batch/scheduler.ts";
import { dashboardBaseUrl } from "../../config/config.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { openDatabase } from "../../db/open.ts";
import { ensureEmbeddingPartitions } from "../../db/partitions.ts";
import { createApp } from "../../http/app.ts";
import { trustedProxiesOf } from "../../http/client-address.ts";
import { listen } from "../../http/node-server.ts";
import { CalmSweeper } from "../../incidents/calm.ts";
import { jsonLogger } from "../../log.ts";
import { createMetrics } from "../../metrics/metrics.ts";
import { archiveExpired } from "../../retention/archive.ts";
import { archiveKeysFor, archiveStoreFor } from "../../retention/store-from-config.ts";
import { bootstrapAdminKey } from "../../services/api-keys/bootstrap.ts";
import { streamingMetricsSnapshot } from "../../streaming/metrics.ts";
import { readAfterByCopy, readAhead } from "../../streaming/read.ts";
import { writeScoresByCopy } from "../../streaming/score-cache.ts";
import { POSTGRES_STREAM_BATCH, StreamingWorker } from "../../streaming/worker.ts";
import { verificationSettingsOf } from "../../verification/queue.ts";
import { configFrom, databaseOptions, portNumber, sealSecretsAtStart } from "../options.ts";

const HOUR_MS = 3_600_000;

/**
 * Whether this server embeds uploaded images: `--replica` (browser at once) and `--no-replica`
 * decide; otherwise on the embedded database it does when Chromium is installed (a new user's
 * `npm start` must embed an uploaded image without knowing about replicas), and says how to get
 * it when not; with PostgreSQL replicas are their own processes.
 */
export function replicaModeOf(
  flag: boolean | undefined,
  driver: "pglite" | "postgres",
  chromiumPath: string,
): { mode: "off" | "eager" | "when-needed"; note?: string } {
  if (flag === true) return { mode: "eager" };
  if (flag === false || driver !== "pglite") return { mode: "off" };
  if (existsSync(chromiumPath)) {
    return {
      mode: "when-needed",
      note: `uploaded images are embedded here, in ${chromiumPath} (started at the first upload)`,
    };
  }
  return {
    mode: "off",
    note: `no Chromium at ${chromiumPath}: uploaded images will wait for a replica (apt-get install chromium, or set FACEDRIFT_CHROMIUM)`,
  };
}

export function registerServe(program: Command): void {
  databaseOptions(program.command("serve").description("run the HTTP API"))
    .option("--port <n>", "port (env PORT, default 8080)", portNumber)
    .option("--host <addr>", "address to bind (env HOST, default 0.0.0.0)")
    .option("--no-scheduler", "do not run scheduled batch checks in this process")
    .option("--no-streaming", "do not run the streaming (PC1/ADWIN) detector in this process")
    .option(
      "--no-retention",
      "do not archive days past retention here (when `facedrift archive` runs from a CronJob instead)",
    )
    .option(
      "--replica",
      "embed uploaded images and run verification jobs in headless Chromium here, the browser started at once (default on the embedded database when Chromium is installed, started at the first job)",
    )
    .option("--no-replica", "never embed uploaded images here (another process runs `facedrift replica`)")
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
            // On PostgreSQL the server sends the next batch while this process works on the last.
            read:
              database.driver === "postgres"
                ? readAhead(readAfterByCopy(database))
                : readAfterByCopy(database),
            writeScores: writeScoresByCopy(database),
            ...(database.driver === "postgres" ? { batchSize: POSTGRES_STREAM_BATCH } : {}),
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

      // PGlite is opened by one process only, so on it the replica runs here or not at all: by
      // default whenever Chromium is there, its browser started only when an upload arrives.
      // Imported only when it runs: playwright-core adds seconds to every start otherwise.
      const replicaMode = replicaModeOf(options.replica, database.driver, config.chromiumPath);
      if (replicaMode.note) log(replicaMode.mode === "off" ? "warn" : "info", replicaMode.note, {});
      const replica =
        replicaMode.mode === "off"
          ? undefined
          : (await import("../../replica/start.ts")).startReplica(database, config, log, {
              browserWhenNeeded: replicaMode.mode === "when-needed",
            });

      const metrics = createMetrics({ db: database.db, streaming: streamingMetricsSnapshot });
      // The web app ships in the same checkout; serve it when it has been built (npm start builds it).
      const webRoot = fileURLToPath(new URL("../../../../web/build", import.meta.url));
      const hasWeb = existsSync(join(webRoot, "200.html"));
      if (!hasWeb) log("info", "web app not built; serving the API only", { hint: "npm run build -w web" });
      const app = createApp({ database, config, log, metrics, webRoot: hasWeb ? webRoot : undefined });
      const server = listen(
        app.fetch,
        { ...config, port: config.port, hostname: config.host, trustedProxies: trustedProxiesOf(config) },
        (info) => {
          // Recorded in the embedded database's lock, so a refused CLI command can point here.
          const local = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
          database.servingAt?.(`http://${local.includes(":") ? `[${local}]` : local}:${info.port}`);
          log("info", "listening", {
            port: info.port,
            host: config.host,
            database: database.driver,
            at: database.location,
          });
        },
      );
      // A port already taken is the user's to fix: one line, not a stack trace, and no hanging.
      server.once("error", (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === "EADDRINUSE"
            ? `port ${config.port} on ${config.host} is already in use (another facedrift serve?); choose another with --port or PORT`
            : error.code === "EACCES"
              ? `not allowed to listen on port ${config.port} (ports below 1024 need privileges); choose another with --port or PORT`
              : `cannot listen on ${config.host}:${config.port}: ${error.message}`;
        process.stderr.write(`facedrift serve: ${reason}\n`);
        clearInterval(maintenance);
        Promise.allSettled([scheduler?.stop(), streaming?.stop(), replica?.stop(), calm.stop()])
          .then(() => database.close())
          .finally(() => process.exit(1));
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
