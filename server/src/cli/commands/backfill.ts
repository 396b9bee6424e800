import type { Command } from "commander";
import { backfillRuns } from "../../batch/backfill.ts";
import { getStream } from "../../services/streams/get.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { parseDuration, parseTime, printJson, tenantOption } from "../batch/args.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

/**
 * `facedrift backfill --stream S --from T --to T [--every 1d]`: recompute batch runs for past
 * windows against the active reference, idempotently (a second backfill updates the same runs).
 * Progress on stderr, a summary as JSON on stdout.
 */
export function registerBackfill(program: Command): void {
  databaseOptions(
    program.command("backfill").description("recompute batch runs for a past window, idempotently"),
  )
    .requiredOption("--stream <name>", "stream name")
    .requiredOption("--from <time>", "first window's start (receive time)")
    .requiredOption("--to <time>", "last window's end")
    .option("--every <duration>", "window length: 30m, 6h, 1d, 1w", "1d")
    .option("--seed <n>", "seed of the permutations and the novelty sample", "0")
    .option(...tenantOption)
    .action(async (options) => {
      await withDatabase(configFrom(options), async (database) => {
        const tenantId = await findTenant(database.db, options.tenant);
        const stream = await getStream(database.db, tenantId, options.stream);
        const result = await backfillRuns(database, {
          streamId: stream.id,
          from: parseTime(options.from, "from"),
          to: parseTime(options.to, "to"),
          everyMs: parseDuration(options.every, "every"),
          seed: Number(options.seed),
          onProgress: (done, total, window, run) => {
            const what = run
              ? `run ${run.id}: ${run.severity}${run.drift ? ", drift" : ""}`
              : "no data, skipped";
            process.stderr.write(
              `[${done}/${total}] ${window.from.toISOString()} – ${window.to.toISOString()}: ${what}\n`,
            );
          },
        });
        printJson({
          stream: stream.name,
          runs: result.runs.length,
          skipped: result.skipped,
          drift: result.runs
            .filter((r) => r.drift)
            .map((r) => ({ id: r.id, windowStart: r.windowStart, severity: r.severity })),
        });
      });
    });
}
