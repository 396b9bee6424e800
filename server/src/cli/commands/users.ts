import type { Command } from "commander";
import { DEFAULT_TENANT_NAME } from "../../db/schema/tenant.ts";
import { publicIdsOf } from "../../ids/public-ids.ts";
import { ensureTenant } from "../../services/tenants/default.ts";
import { createUser } from "../../services/users/create.ts";
import { withDatabase } from "../database.ts";
import { configFrom, databaseOptions } from "../options.ts";
import { callServer, serverOptions } from "../remote.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** `facedrift users create`: dashboard logins. The password never goes on the command line (ps). */
export function registerUsers(program: Command): void {
  const users = program.command("users").description("manage dashboard users (directly in the database)");
  serverOptions(
    databaseOptions(
      users.command("create").description("create a dashboard user; the password is read from stdin"),
    ),
  )
    .requiredOption("--email <address>", "login e-mail")
    .option("--tenant <name>", "tenant name (with --server: the admin key's tenant)", DEFAULT_TENANT_NAME)
    .action(async (options) => {
      const password = await readStdin();
      if (options.server) {
        const user = await callServer<{ id: number; email: string }>(options, "POST", "v1/users", {
          email: options.email,
          password,
        });
        console.log(`created user ${user.id} (${user.email}) through ${options.server}`);
        return;
      }
      await withDatabase(
        configFrom(options),
        async ({ db }) => {
          const tenantId = await ensureTenant(db, options.tenant);
          const user = await createUser(db, { tenantId, email: options.email, password });
          // The public id, as the API (and `--server`, above) names the user.
          const id = (await publicIdsOf(db)).encode("user", user.id);
          console.log(`created user ${id} (${user.email}) for tenant ${options.tenant}`);
        },
        { create: true },
      );
    });
}
