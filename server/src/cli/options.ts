import { type Command, Option } from "commander";
import { setEgressPolicy } from "../alerts/egress.ts";
import { type Config, loadConfig } from "../config/config.ts";

/** `--data-dir` and `--database-url`, shared by every command that opens the database. */
export function databaseOptions(command: Command): Command {
  return command
    .addOption(new Option("--data-dir <dir>", "embedded database directory (default ./.facedrift)"))
    .addOption(new Option("--database-url <url>", "PostgreSQL URL (with pgvector)").env("DATABASE_URL"));
}

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
  // Channels are sent from many places (batch runs, the streaming worker, verification jobs):
  // the policy is the process's, set here where every command reads its config.
  setEgressPolicy(config.channelEgress);
  return config;
}
