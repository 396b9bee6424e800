import { type Command, Option } from "commander";
import type { Config } from "../../config/config.ts";
import { archiveExpired, DEFAULT_RETENTION_DAYS } from "../../retention/archive.ts";
import { ArchiveKeysMissing, archiveKeyRingFor } from "../../retention/archive-keys.ts";
import { listArchiveRecords } from "../../retention/archive-object.ts";
import { rekeyArchives } from "../../retention/rekey.ts";
import { restoreDay } from "../../retention/restore.ts";
import { archiveKeysFor, archiveStoreFor } from "../../retention/store-from-config.ts";
import { verifyArchives } from "../../retention/verify.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { parseCount, printJson, tenantOption } from "../batch/args.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

/**
 * `facedrift archive [run]`: what `serve` does hourly, on demand; `archive list|verify|restore|rekey`
 * read the sealed archives back (see `retention/`). Progress goes to stderr, results to stdout;
 * a failed check exits 1.
 */
export function registerArchive(program: Command): void {
  const archive = program
    .command("archive")
    .description(
      "encrypted Parquet archives of days past retention: run (default), list, verify, restore, rekey",
    );

  databaseOptions(
    archive
      .command("run", { isDefault: true })
      .description(
        "write days past retention to sealed Parquet, verify them, then delete them from the database",
      ),
  )
    .addOption(
      new Option(
        "--before <date>",
        "archive every stream's days before this UTC date (YYYY-MM-DD)",
      ).argParser((value) => new Date(`${parseDay(value, "--before")}T00:00:00Z`)),
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
          keys: options.dryRun ? null : archiveKeysFor(config),
          retentionDays: config.retentionDays ?? DEFAULT_RETENTION_DAYS,
          ...(options.before ? { before: options.before } : {}),
          dryRun: options.dryRun === true,
          onDay: (day) =>
            process.stderr.write(
              `${day.status.padEnd(16)} ${day.stream} ${day.day} ${day.rows} rows → ${day.location}\n`,
            ),
        });
        const verb = options.dryRun ? "would archive" : "archived";
        const written = report.days.filter((d) => d.status !== "restored" && d.status !== "changed");
        console.log(
          `${verb} ${written.length} stream-days, ${report.deletedRows} rows deleted, ` +
            `${report.droppedPartitions.length} empty partitions dropped`,
        );
        if (report.days.some((d) => d.status === "mismatch")) {
          process.stderr.write("some days were archived before with another row count and were left alone\n");
          process.exitCode = 1;
        }
      });
    });

  databaseOptions(
    archive.command("list").description("list archived stream-days (from the database's records)"),
  )
    .option("--stream <name>", "only this stream")
    .option("--from <date>", "first day (YYYY-MM-DD)")
    .option("--to <date>", "last day (YYYY-MM-DD)")
    .option("--json", "one JSON array instead of a table")
    .option(...tenantOption)
    .action(async (options) => {
      await withDatabase(configFrom(options), async (database) => {
        const filter = await filterFrom(database.db, options);
        const records = await listArchiveRecords(database.db, filter);
        if (options.json) return printJson(records);
        if (records.length === 0) return console.log("no archived days");
        console.log(
          table(
            ["stream", "day", "rows", "seqs", "erased", "key", "bytes", "location"],
            records.map((r) => [
              r.stream,
              r.day,
              String(r.rows),
              seqRangeShown(r),
              String(r.erasedRows),
              r.keyId ?? "plaintext",
              String(r.bytes),
              r.location,
            ]),
          ),
        );
      });
    });

  databaseOptions(
    archive
      .command("verify")
      .description("read every archive back: checksum, decryption with the configured keys, rows and seqs"),
  )
    .option("--stream <name>", "only this stream")
    .option("--from <date>", "first day (YYYY-MM-DD)")
    .option("--to <date>", "last day (YYYY-MM-DD)")
    .option(...tenantOption)
    .action(async (options) => {
      const config = configFrom(options);
      await withDatabase(config, async (database) => {
        const filter = await filterFrom(database.db, options);
        const results = await verifyArchives(
          database.db,
          archiveStoreFor(config),
          readKeys(config),
          filter,
          (r, i, n) =>
            process.stderr.write(
              `[${i}/${n}] ${r.ok ? "ok    " : "FAILED"} ${r.stream} ${r.day} ${r.rows} rows, ` +
                `${r.encrypted ? `key ${r.keyId}` : "plaintext"}${r.problem ? `: ${r.problem}` : ""}\n`,
            ),
        );
        const failed = results.filter((r) => !r.ok);
        const plaintext = results.filter((r) => !r.encrypted).length;
        console.log(
          `verified ${results.length - failed.length} of ${results.length} archived days` +
            (plaintext > 0 ? `; ${plaintext} plaintext (run \`facedrift archive rekey\` to seal them)` : ""),
        );
        if (failed.length > 0) process.exitCode = 1;
      });
    });

  databaseOptions(
    archive
      .command("restore")
      .description("put one archived stream-day back into the database (e.g. to backfill over it), audited"),
  )
    .requiredOption("--stream <name>", "stream name")
    .requiredOption("--day <date>", "the archived day (YYYY-MM-DD)")
    .option("--hold <hours>", "hours retention leaves the restored rows in place", "24")
    .option(...tenantOption)
    .action(async (options) => {
      const day = parseDay(options.day, "--day");
      const holdHours = parseCount(options.hold, "hold");
      const config = configFrom(options);
      await withDatabase(config, async (database) => {
        const tenantId = await findTenant(database.db, options.tenant);
        const result = await restoreDay(database, archiveStoreFor(config), readKeys(config), {
          tenantId,
          stream: options.stream,
          day,
          holdHours,
          actor: "cli",
          onProgress: (done, total) => process.stderr.write(`restored ${done}/${total} rows\r`),
        });
        process.stderr.write("\n");
        console.log(
          `restored ${result.restored} rows of ${result.stream} ${result.day} (skipped ${result.skipped} already present); ` +
            `retention leaves them until ${result.restoredUntil}. Backfill with: facedrift backfill --stream ${result.stream} ` +
            `--from ${result.day}T00:00:00Z --to <the next day>T00:00:00Z`,
        );
      });
    });

  databaseOptions(
    archive
      .command("rekey")
      .description(
        "re-wrap every archive's data key under the active key (after a rotation); seal plaintext ones",
      ),
  )
    .option("--stream <name>", "only this stream")
    .option(...tenantOption)
    .action(async (options) => {
      const config = configFrom(options);
      const keys = archiveKeysFor(config);
      if (!keys) throw new ArchiveKeysMissing();
      await withDatabase(config, async (database) => {
        const filter = await filterFrom(database.db, options);
        const results = await rekeyArchives(database.db, archiveStoreFor(config), keys, filter, (r, i, n) =>
          process.stderr.write(
            `[${i}/${n}] ${r.status.padEnd(9)} ${r.stream} ${r.day} (${r.from ?? "plaintext"} → ${keys.active.id})` +
              `${r.problem ? `: ${r.problem}` : ""}\n`,
          ),
        );
        const count = (status: string) => results.filter((r) => r.status === status).length;
        console.log(
          `re-wrapped ${count("rewrapped")}, sealed ${count("sealed")}, already under ${keys.active.id} ${count("current")}, ` +
            `failed ${count("failed")}`,
        );
        if (count("failed") > 0) process.exitCode = 1;
      });
    });
}

/** Reading needs no new key: the configured ones, or the embedded default if it exists. */
function readKeys(config: Config) {
  return archiveKeyRingFor(config);
}

async function filterFrom(
  db: Parameters<typeof findTenant>[0],
  options: { stream?: string; from?: string; to?: string; tenant: string },
) {
  return {
    tenantId: await findTenant(db, options.tenant),
    ...(options.stream ? { stream: options.stream } : {}),
    ...(options.from ? { from: parseDay(options.from, "--from") } : {}),
    ...(options.to ? { to: parseDay(options.to, "--to") } : {}),
  };
}

function parseDay(value: string, flag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new Error(`${flag}: expected a date like 2026-10-01, got "${value}"`);
  }
  return value;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/**
 * The stream seqs a day's rows have (or get back when restored). A file from before seqs counted
 * per stream holds server-wide seqs (`--json` shows them as `firstSeq`/`lastSeq`); its rows' places
 * in the stream follow `seqOffset`.
 */
function seqRangeShown(r: {
  firstSeq: number | null;
  lastSeq: number | null;
  seqOffset: number | null;
  rows: number;
}) {
  if (r.firstSeq === null) return "–";
  if (r.seqOffset === null) return `${r.firstSeq}–${r.lastSeq}`;
  return r.rows === 0 ? "–" : `${r.seqOffset + 1}–${r.seqOffset + r.rows}`;
}
