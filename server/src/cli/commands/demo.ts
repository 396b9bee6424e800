import type { Command } from "commander";
import { runDemo } from "../../demo/run-demo.ts";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "start the server on the embedded default, stream synthetic embeddings with a drift, report the detectors",
    )
    .option("--data-dir <dir>", "keep the demo database here (default: a temporary directory)")
    .option("--dimension <n>", "embedding dimension", (v) => Number.parseInt(v, 10), 128)
    .option("--shift <sigma>", "size of the injected drift (latent mean shift, in σ)", Number.parseFloat, 0.5)
    .option("--seed <n>", "seed of every random choice", (v) => Number.parseInt(v, 10), 1)
    .action(async (options) => {
      const result = await runDemo({
        dataDir: options.dataDir,
        dimension: options.dimension,
        shift: options.shift,
        seed: options.seed,
      });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });
}
