import { Command } from "commander";
import { DataDirLockedError } from "../db/data-dir-lock.ts";
import { FacedriftError } from "../errors.ts";
import { registerArchive } from "./commands/archive.ts";
import { registerBackfill } from "./commands/backfill.ts";
import { registerCheck } from "./commands/check.ts";
import { registerDelete } from "./commands/delete.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerExtract } from "./commands/extract.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerReference } from "./commands/reference.ts";
import { registerReplica } from "./commands/replica.ts";
import { registerServe } from "./commands/serve.ts";
import { registerStats } from "./commands/stats.ts";
import { registerStream } from "./commands/stream.ts";
import { registerUsers } from "./commands/users.ts";
import { registerVerify } from "./commands/verify.ts";
import { throughTheServer } from "./locked-hint.ts";

/**
 * The `facedrift` command. Each subcommand is one file in `commands/` exporting
 * `register…(program)`; adding one is that file plus one line here.
 */
export function buildProgram(): Command {
  const program = new Command("facedrift").description("Drift monitoring for face-recognition embeddings");
  registerServe(program);
  registerReplica(program);
  registerMigrate(program);
  registerKeys(program);
  registerReference(program);
  registerStream(program);
  registerCheck(program);
  registerBackfill(program);
  registerDelete(program);
  registerArchive(program);
  registerStats(program);
  registerDemo(program);
  registerUsers(program);
  registerVerify(program);
  registerExtract(program);
  return program;
}

/** The subcommand being run, as a path ("users create"), for messages about it. */
let running = "";

try {
  const program = buildProgram();
  program.hook("preAction", (_, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
    running = names.join(" ");
  });
  await program.parseAsync(process.argv);
} catch (error) {
  // Domain errors carry a message meant for people (e.g. how to install pgvector); print it plainly.
  // A held embedded database gets one line: the folder, its holder, and how to go through it.
  const message =
    error instanceof DataDirLockedError
      ? `${error.message}; ${throughTheServer(running, error.holder)}`
      : error instanceof FacedriftError || error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`facedrift: ${message}\n`);
  // Exit now: a command that failed halfway may leave timers or a worker loop running (serve),
  // and a failed command must not hang.
  process.exit(1);
}
