import type { Command } from "commander";
import { runDemo } from "../../demo/run-demo.ts";
import { integerIn, numberIn } from "../options.ts";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "start the server on the embedded default, stream synthetic embeddings with a drift, report the detectors",
    )
    .option("--data-dir <dir>", "keep the demo database here (default: a temporary directory)")
    .option("--dimension <n>", "embedding dimension", integerIn(8, 4096), 128)
    .option(
      "--shift <sigma>",
      "size of the injected drift (latent mean shift, in σ)",
      numberIn(0.05, 10),
      0.5,
    )
    .option("--seed <n>", "seed of every random choice", integerIn(0, 2 ** 31 - 1), 1)
    .option("--exit", "stop the server after the report (default when not run from a terminal)")
    .action(async (options) => {
      const print = (result: unknown) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      const keepRunning = !options.exit && process.stdout.isTTY === true;
      const result = await runDemo({
        dataDir: options.dataDir,
        dimension: options.dimension,
        shift: options.shift,
        seed: options.seed,
        keepRunning,
        onReport: print,
      });
      if (!keepRunning) print(result);
    });
}
