import type { Command } from "commander";
import { runBatchCheck } from "../../batch/run.ts";
import { getStream } from "../../services/streams/get.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { printJson, tenantOption, windowFrom } from "../batch/args.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

/** `facedrift check --stream S [--last N | --from --to] [--weekly]`: run the batch check now, print the run. */
export function registerCheck(program: Command): void {
  databaseOptions(
    program.command("check").description("run the batch drift check now and print the stored run"),
  )
    .requiredOption("--stream <name>", "stream name")
    .option(...tenantOption)
    .option("--last <n>", "the latest N embeddings (default: the stream's window size, 1000)")
    .option("--from <time>", "window start (receive time, inclusive)")
    .option("--to <time>", "window end (exclusive)")
    .option("--weekly", "force the MMD test, as the weekly run does")
    .option("--seed <n>", "seed of the permutations and the novelty sample", "0")
    .action(async (options) => {
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
