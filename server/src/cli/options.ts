import { type Command, InvalidArgumentError, Option } from "commander";
import { sealStoredSecrets } from "../alerts/seal-stored.ts";
import { type Config, loadConfig } from "../config/config.ts";
import { applyProcessSettings } from "../config/process-settings.ts";
import type { Db } from "../db/database.ts";
import type { Logger } from "../log.ts";

/** `--data-dir` and `--database-url`, shared by every command that opens the database. */
export function databaseOptions(command: Command): Command {
  return command
    .addOption(new Option("--data-dir <dir>", "embedded database directory (default ./.facedrift)"))
    .addOption(new Option("--database-url <url>", "PostgreSQL URL (with pgvector)").env("DATABASE_URL"));
}

/**
 * A commander parser for an integer option within [min, max]: a bad value ("abc", 99999) stops
 * the command before it does anything, with commander's one line ("option '--port <n>' argument
 * '99999' is invalid. …") and exit status 1.
 */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`it must be an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/** The same for a finite number within [min, max]. */
export function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`it must be a number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** `--port`: a TCP port. */
export const portNumber = integerIn(1, 65_535);

export function configFrom(options: {
  dataDir?: string;
  databaseUrl?: string;
  port?: number;
  host?: string;
}): Config {
  const config = loadConfig(process.env, {
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    port: options.port,
    host: options.host,
  });
  applyProcessSettings(config);
  return config;
}

/**
 * Seals secrets stored in clear before `FACEDRIFT_SECRET_KEY` was set, and stops the start when a
 * sealed one does not open (no key, or another key): see `alerts/seal-stored.ts`.
 */
export async function sealSecretsAtStart(db: Db, config: Config, log: Logger): Promise<void> {
  const report = await sealStoredSecrets(db, config.secretKey ?? null);
  if (report.sealed > 0)
    log("info", "sealed stored secrets with FACEDRIFT_SECRET_KEY", { sealed: report.sealed });
  if (report.clear > 0) {
    log("warn", "alert channel secrets are stored in clear: set FACEDRIFT_SECRET_KEY to seal them", {
      clear: report.clear,
    });
  }
}
