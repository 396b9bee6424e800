import { randomBytes } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { hashSecret } from "../../auth/secret.ts";
import type { Executor } from "../../db/database.ts";
import { sessions } from "../../db/schema/session.ts";
import { users } from "../../db/schema/user.ts";

export const SESSION_TTL_MS = 12 * 3600_000;

export interface SessionUser {
  userId: number;
  tenantId: number;
  email: string;
  csrfToken: string;
}

/**
 * Starts a session: a random 256-bit token for the cookie (only its SHA-256 is stored, like API
 * keys) and a CSRF token the page sends back in `X-CSRF-Token` on state-changing requests.
 */
export async function createSession(db: Executor, userId: number, ttlMs = SESSION_TTL_MS) {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.insert(sessions).values({ tokenHash: hashSecret(token), userId, csrfToken, expiresAt });
  return { token, csrfToken, expiresAt };
}

export async function findSession(db: Executor, token: string): Promise<SessionUser | null> {
  const [row] = await db
    .select({ userId: users.id, tenantId: users.tenantId, email: users.email, csrfToken: sessions.csrfToken })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashSecret(token)), gt(sessions.expiresAt, sql`now()`)));
  return row ? { ...row, userId: Number(row.userId), tenantId: Number(row.tenantId) } : null;
}

export async function deleteSession(db: Executor, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashSecret(token)));
}
