import { eq } from "drizzle-orm";
import { verifyPassword } from "../../auth/password.ts";
import type { Executor } from "../../db/database.ts";
import { users } from "../../db/schema/user.ts";
import { FacedriftError } from "../../errors.ts";

// A valid hash of a random password: unknown e-mails cost the same scrypt run as wrong passwords,
// so response time does not reveal which e-mails have accounts.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$h8UxnOu7A0d1mCUTHWObtMvDg5dcWc8tPjb7LzK5JnU";

/** The user id and tenant for a correct e-mail and password, else `unauthorized` (which one is not said). */
export async function checkCredentials(db: Executor, email: string, password: string) {
  const [user] = await db
    .select({ id: users.id, tenantId: users.tenantId, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()));
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) throw new FacedriftError("unauthorized", "wrong e-mail or password");
  return { userId: Number(user.id), tenantId: Number(user.tenantId) };
}
