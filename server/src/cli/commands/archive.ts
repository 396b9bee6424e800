import { type Command, Option } from "commander";
import { archiveExpired, DEFAULT_RETENTION_DAYS } from "../../retention/archive.ts";
import { archiveStoreFor } from "../../retention/store-from-config.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

/**
 * `facedrift archive`: what `serve` does hourly, on demand. Progress (one line per day) goes to
 * stderr, the summary to stdout.
 */
export function registerArchive(program: Command): void {
  databaseOptions(
    program
      .command("archive")
      .description("write days past retention to Parquet, verify them, then delete them from the database"),
  )
    .addOption(
      new Option(
        "--before <date>",
        "archive every stream's days before this UTC date (YYYY-MM-DD)",
      ).argParser(parseDay),
    )
    .option("--dry-run", "list the days that would be archived; change nothing")
    .action(async (options: { before?: Date; dryRun?: boolean; dataDir?: string; databaseUrl?: string }) => {
      const config = configFrom(options);
      if (options.before === undefined && config.retentionDays === undefined) {
        throw new Error("FACEDRIFT_RETENTION_DAYS is off: pass --before <date> to archive anyway");
      }
      const store = archiveStoreFor(config);
      await withDatabase(config, async (database) => {
        const report = await archiveExpired(database, {
          store,
          retentionDays: config.retentionDays ?? DEFAULT_RETENTION_DAYS,
          ...(options.before ? { before: options.before } : {}),
          dryRun: options.dryRun === true,
          onDay: (day) =>
            process.stderr.write(
              `${day.status.padEnd(16)} ${day.stream} ${day.day} ${day.rows} rows → ${day.location}\n`,
            ),
        });
        const verb = options.dryRun ? "would archive" : "archived";
        console.log(
          `${verb} ${report.days.length} stream-days, ${report.deletedRows} rows deleted, ` +
            `${report.droppedPartitions.length} empty partitions dropped`,
        );
        if (report.days.some((d) => d.status === "mismatch")) {
          process.stderr.write("some days were archived before with another row count and were left alone\n");
          process.exitCode = 1;
        }
      });
    });
}

function parseDay(value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new Error(`--before: expected a date like 2026-10-01, got "${value}"`);
  }
  return new Date(`${value}T00:00:00Z`);
}
