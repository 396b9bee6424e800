import { hostname } from "node:os";
import type { Command } from "commander";
import { runBatchCheck } from "../../batch/run.ts";
import { BatchScheduler } from "../../batch/scheduler.ts";
import { dashboardBaseUrl } from "../../config/config.ts";
import { FacedriftError } from "../../errors.ts";
import { jsonLogger } from "../../log.ts";
import { getStream } from "../../services/streams/get.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { verificationSettingsOf } from "../../verification/queue.ts";
import { parseDuration, printJson, tenantOption, windowFrom } from "../batch/args.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

/**
 * `facedrift check --stream S [--last N | --from --to] [--weekly]`: run the batch check now, print
 * the run. `facedrift check --due`: one tick of the servers' scheduler — queue every stream's due
 * slots and run the queued checks, then exit — for a CronJob when the servers run
 * `serve --no-scheduler` (deploy/k8s/overlays/postgres-replicas-cronjobs/). Slots are queued once
 * and claimed by one process, so a CronJob beside schedulers, or two overlapping CronJob runs,
 * still run each slot once.
 */
export function registerCheck(program: Command): void {
  databaseOptions(
    program
      .command("check")
      .description(
        "run the batch drift check now and print the stored run (--due: run every scheduled check that is due)",
      ),
  )
    .option("--stream <name>", "stream name")
    .option("--due", "queue every stream's due scheduled and weekly slots, run the queued checks, exit")
    .option("--lookback <duration>", "with --due: catch up slots this far back (default 6h)")
    .option(...tenantOption)
    .option("--last <n>", "the latest N embeddings (default: the stream's window size, 1000)")
    .option("--from <time>", "window start (receive time, inclusive)")
    .option("--to <time>", "window end (exclusive)")
    .option("--weekly", "force the MMD test, as the weekly run does")
    .option("--seed <n>", "seed of the permutations and the novelty sample", "0")
    .action(async (options) => {
      if (options.due) return checkDue(options);
      if (options.stream === undefined)
        throw new FacedriftError(
          "invalid_request",
          "give --stream <name>, or --due for the scheduled checks",
          {
            field: "stream",
          },
        );
      if (options.lookback !== undefined)
        throw new FacedriftError("invalid_request", "--lookback goes with --due", { field: "lookback" });
      await withDatabase(configFrom(options), async (database) => {
        const tenantId = await findTenant(database.db, options.tenant);
        const stream = await getStream(database.db, tenantId, options.stream);
        const run = await runBatchCheck(database, {
          streamId: stream.id,
          kind: options.weekly ? "weekly" : "manual",
          window: windowFrom(options),
          seed: Number(options.seed),
        });
        printJson(run);
      });
    });
}

/** One scheduler tick; prints `{enqueued, ran, failed}` and exits 1 when a check failed. */
async function checkDue(options: Record<string, string | boolean | undefined>): Promise<void> {
  for (const field of ["stream", "last", "from", "to", "weekly"]) {
    if (options[field] !== undefined)
      throw new FacedriftError("invalid_request", `--${field} does not go with --due`, { field });
  }
  const lookbackMs =
    typeof options.lookback === "string" ? parseDuration(options.lookback, "lookback") : undefined;
  const config = configFrom(options);
  await withDatabase(config, async (database) => {
    const scheduler = new BatchScheduler({
      database,
      owner: `check-due:${hostname()}:${process.pid}`,
      // Progress as JSON lines on stderr; stdout carries only the counts.
      log: jsonLogger((line) => process.stderr.write(line)),
      dashboardBaseUrl: dashboardBaseUrl(config),
      verifyOnDrift: config.verifyOnDrift ? verificationSettingsOf(config) : null,
      ...(lookbackMs === undefined ? {} : { lookbackMs }),
    });
    const counts = await scheduler.tick();
    printJson(counts);
    if (counts.failed > 0) process.exitCode = 1;
  });
}
