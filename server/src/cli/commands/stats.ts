/**
 * `facedrift stats <kind>`: reads one JSON object on stdin, prints one JSON object on stdout.
 * Bad input exits with status 2 and a one-line message on stderr naming the problem.
 */
import type { Command } from "commander";
import { InputError, parseInput } from "../stats/input.ts";
import { isStatsKind, runStats, STATS_KINDS } from "../stats/run-stats.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function registerStats(program: Command): void {
  const kinds = Object.keys(STATS_KINDS).join("|");
  program
    .command("stats")
    .description(`compute a drift statistic from JSON on stdin (${kinds}); see README "Statistics CLI"`)
    .argument("<kind>", kinds)
    .action(async (kind: string) => {
      try {
        if (!isStatsKind(kind)) throw new InputError(`unknown statistic "${kind}"; expected one of ${kinds}`);
        const output = runStats(kind, parseInput(await readStdin()));
        process.stdout.write(`${JSON.stringify(output)}\n`);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        process.stderr.write(`facedrift stats ${kind}: ${error.message}\n`);
        process.exitCode = 2;
      }
    });
}
