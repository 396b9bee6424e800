import type { Command } from "commander";
import { DEFAULT_TENANT_NAME } from "../../db/schema/tenant.ts";
import { findTenant } from "../../services/tenants/default.ts";
import type { VerificationInput } from "../../verification/run.ts";
import { DEFAULT_MIN_AUC, toSummaryJson } from "../../verification/summary.ts";
import { parseCount, printJson } from "../batch/args.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";
import { badArgument, parseChoice, progressLine, withArgumentErrors } from "../verification/args.ts";

/**
 * `facedrift verify --pairs F --images DIR`: embeds every image of a labelled pairs table through
 * the face pipeline and prints AUC, EER and TAR@FAR as JSON; progress on stderr. With `--store`
 * (implied by `--stream`) the run is stored, and an AUC below `--min-auc` raises a `verification`
 * alert on the stream. The exit status is 0 whatever the AUC: `below_min_auc` says it.
 */
export function registerVerify(program: Command): void {
  databaseOptions(
    program
      .command("verify")
      .description("verification AUC/EER/TAR@FAR of labelled pairs through the face pipeline"),
  )
    .requiredOption(
      "--pairs <file>",
      "pairs table: header left<TAB>right<TAB>same, paths relative to --images",
    )
    .requiredOption("--images <dir>", "folder the pair paths are relative to")
    .option("--model <id>", "embedder: a catalogue id or a manifest .json (default: the registry's default)")
    .option("--min-auc <auc>", "raise a verification alert below this AUC", String(DEFAULT_MIN_AUC))
    .option("--limit <n>", "only the first ⌈n/2⌉ genuine and impostor pairs, for a quick run")
    .option(
      "--faces <policy>",
      "central: the face nearest the centre; single: skip images with several",
      "central",
    )
    .option(
      "--failures <policy>",
      "pairs with an image that gave no face: count (as failed comparisons, lowest score) or skip (leave out)",
      "count",
    )
    .option("--store", "store the run (and any alert) in the database")
    .option("--tenant <name>", `tenant of the stored run (default "${DEFAULT_TENANT_NAME}")`)
    .option("--stream <name>", "tie the stored run to a stream, which alerts need (implies --store)")
    .action((options) =>
      withArgumentErrors("verify", async () => {
        // Loaded here, not at the top: the face models' modules would slow every other command's start.
        const { runVerification } = await import("../../verification/run.ts");
        const minAuc = Number(options.minAuc);
        if (options.minAuc.trim() === "" || !Number.isFinite(minAuc) || minAuc < 0) {
          throw badArgument("min-auc", `must be a number ≥ 0, got "${options.minAuc}"`);
        }
        const input: VerificationInput = {
          pairsFile: options.pairs,
          imagesDir: options.images,
          minAuc,
          faces: parseChoice(options.faces, "faces", ["central", "single"] as const),
          failures: parseChoice(options.failures, "failures", ["count", "skip"] as const),
          onProgress: progressLine("verify"),
          awaitDelivery: true,
          ...(options.model ? { model: options.model } : {}),
          ...(options.limit === undefined ? {} : { limit: parseLimit(options.limit) }),
          ...(options.stream ? { stream: options.stream } : {}),
        };
        if (!options.store && !options.stream) {
          if (options.tenant) throw badArgument("tenant", "needs --store");
          printJson(toSummaryJson(await runVerification(null, input)));
          return;
        }
        await withDatabase(configFrom(options), async (database) => {
          const tenantId = options.tenant ? await findTenant(database.db, options.tenant) : undefined;
          const summary = await runVerification(database, { ...input, ...(tenantId ? { tenantId } : {}) });
          printJson(toSummaryJson(summary));
        });
      }),
    );
}

function parseLimit(value: string): number {
  const limit = parseCount(value, "limit");
  if (limit < 2) throw badArgument("limit", "must be at least 2 (one pair of each class)");
  return limit;
}
