import type { Command } from "commander";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../db/schema/api-key.ts";
import { DEFAULT_TENANT_NAME } from "../../db/schema/tenant.ts";
import { publicIdsOf } from "../../ids/public-ids.ts";
import { createApiKey } from "../../services/api-keys/create.ts";
import { listApiKeys } from "../../services/api-keys/list.ts";
import { revokeApiKey } from "../../services/api-keys/revoke.ts";
import { ensureTenant, findTenant } from "../../services/tenants/default.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";

function parseScopes(raw: string): ApiKeyScope[] {
  const scopes = raw.split(",").map((s) => s.trim());
  for (const scope of scopes) {
    if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
      throw new Error(`unknown scope "${scope}"; choose from ${API_KEY_SCOPES.join(", ")}`);
    }
  }
  return scopes as ApiKeyScope[];
}

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("manage API keys (directly in the database)");
  const tenantOption = ["--tenant <name>", "tenant name", DEFAULT_TENANT_NAME] as const;

  databaseOptions(keys.command("create").description("create a key and print its secret once"))
    .requiredOption("--name <name>", "what the key is for")
    .option("--scopes <list>", `comma-separated: ${API_KEY_SCOPES.join(", ")}`, "ingest")
    .option(...tenantOption)
    .action(async (options) => {
      const scopes = parseScopes(options.scopes);
      await withDatabase(
        configFrom(options),
        async ({ db }) => {
          const tenantId = await ensureTenant(db, options.tenant);
          const { key, secret } = await createApiKey(db, { tenantId, name: options.name, scopes });
          const id = (await publicIdsOf(db)).encode("api-key", key.id);
          console.log(`created key ${id} (${key.scopes.join(", ")}) for tenant ${options.tenant}`);
          console.log(`secret (shown once): ${secret}`);
        },
        { create: true },
      );
    });

  databaseOptions(keys.command("list").description("list keys without secrets"))
    .option(...tenantOption)
    .action(async (options) => {
      await withDatabase(configFrom(options), async ({ db }) => {
        const tenantId = await findTenant(db, options.tenant);
        const ids = await publicIdsOf(db);
        for (const k of await listApiKeys(db, tenantId)) {
          const state = k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${k.lastUsedAt ?? "never"}`;
          console.log(
            `${ids.encode("api-key", k.id)}\t${k.prefix}…\t${k.scopes.join(",")}\t${k.name}\t${state}`,
          );
        }
      });
    });

  // Keys are named by their public ids (ids/public-ids.ts), as GET /v1/api-keys and the dashboard
  // name them, so a tenant's admin and the operator speak of the same key.
  databaseOptions(
    keys
      .command("revoke")
      .description("revoke a key by id")
      .argument("<id>", "key id, as `keys list` shows it"),
  )
    .option(...tenantOption)
    .action(async (id: string, options) => {
      await withDatabase(configFrom(options), async ({ db }) => {
        const tenantId = await findTenant(db, options.tenant);
        const row = (await publicIdsOf(db)).decode("api-key", Number(id));
        if (row === null) throw new Error(`no key ${id}: use an id from \`facedrift keys list\``);
        const key = await revokeApiKey(db, tenantId, row);
        console.log(`revoked key ${id} (${key.name})`);
      });
    });
}
