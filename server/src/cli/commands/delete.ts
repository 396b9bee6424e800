import type { Command } from "commander";
import { DEFAULT_TENANT_NAME } from "../../db/schema/tenant.ts";
import { archiveAccessFor } from "../../retention/store-from-config.ts";
import { deleteEmbeddings, deletionCriterion } from "../../services/embeddings/delete.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

/**
 * `facedrift delete`: the privacy deletion of `DELETE /v1/streams/{stream}/embeddings` (database,
 * reference versions, archived days), audited as `cli`.
 */
export function registerDelete(program: Command): void {
  databaseOptions(
    program
      .command("delete")
      .description("erase a device's embeddings (or those with a metadata value) from a stream, audited"),
  )
    .requiredOption("--stream <name>", "stream name")
    .option("--device <id>", "erase every embedding from this device")
    .option("--metadata-key <key>", "erase embeddings whose metadata has this key…")
    .option("--metadata-value <value>", "…with this value")
    .option("--tenant <name>", "tenant name", DEFAULT_TENANT_NAME)
    .action(async (options) => {
      const criterion = deletionCriterion({
        device: options.device,
        metadataKey: options.metadataKey,
        metadataValue: options.metadataValue,
      });
      const config = configFrom(options);
      await withDatabase(config, async ({ db }) => {
        const tenantId = await findTenant(db, options.tenant);
        const result = await deleteEmbeddings(db, {
          tenantId,
          stream: options.stream,
          actor: "cli",
          criterion,
          archives: archiveAccessFor(config),
        });
        console.log(
          `deleted ${result.deleted} embeddings from stream ${options.stream}; ` +
            `${result.archived.rows} rows from ${result.archived.days.length} of ${result.archived.daysScanned} archived days; ` +
            `reference versions touched: ${result.references.map((r) => r.version).join(", ") || "none"}`,
        );
      });
    });
}
