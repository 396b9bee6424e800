import { eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { DEFAULT_TENANT_NAME, tenants } from "../../db/schema/tenant.ts";
import { FacedriftError } from "../../errors.ts";

/** Returns the id of the tenant called `name`, creating it if needed (race-safe). */
export async function ensureTenant(db: Executor, name: string = DEFAULT_TENANT_NAME): Promise<number> {
  await db.insert(tenants).values({ name }).onConflictDoNothing({ target: tenants.name });
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.name, name));
  if (!row) throw new Error(`tenant "${name}" vanished right after it was created`);
  return Number(row.id);
}

/** The id of an existing tenant; `not_found` otherwise (for commands that must not create one). */
export async function findTenant(db: Executor, name: string): Promise<number> {
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.name, name));
  if (!row) throw new FacedriftError("not_found", `tenant "${name}" does not exist`);
  return Number(row.id);
}
