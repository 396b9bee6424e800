import type { Command } from "commander";
import { DEFAULT_TENANT_NAME } from "../../db/schema/tenant.ts";
import { deleteEmbeddings, deletionCriterion } from "../../services/embeddings/delete.ts";
import { findTenant } from "../../services/tenants/default.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

/** `facedrift delete`: the privacy deletion of `DELETE /v1/streams/{stream}/embeddings`, audited as `cli`. */
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
      await withDatabase(configFrom(options), async ({ db }) => {
        const tenantId = await findTenant(db, options.tenant);
        const { deleted } = await deleteEmbeddings(db, {
          tenantId,
          stream: options.stream,
          actor: "cli",
          criterion,
        });
        console.log(`deleted ${deleted} embeddings from stream ${options.stream}`);
      });
    });
}
