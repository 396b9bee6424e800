import { hashPassword } from "../../auth/password.ts";
import type { Executor } from "../../db/database.ts";
import { users } from "../../db/schema/user.ts";
import { FacedriftError, sqlState } from "../../errors.ts";

export const MIN_PASSWORD_LENGTH = 12;

/** Creates a dashboard user of a tenant. Users administer their tenant (the dashboard's settings). */
export async function createUser(
  db: Executor,
  input: { tenantId: number; email: string; password: string },
): Promise<{ id: number; email: string }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email))
    throw new FacedriftError("invalid_request", "email is not an address", { field: "email" });
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new FacedriftError(
      "invalid_request",
      `password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      {
        field: "password",
      },
    );
  }
  try {
    const [row] = await db
      .insert(users)
      .values({ tenantId: input.tenantId, email, passwordHash: await hashPassword(input.password) })
      .returning({ id: users.id, email: users.email });
    return { id: Number(row?.id), email: row?.email ?? email };
  } catch (error) {
    if (sqlState(error) === "23505")
      throw new FacedriftError("conflict", `a user ${email} exists already`, { field: "email" });
    throw error;
  }
}
