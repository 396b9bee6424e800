import { createHash, randomBytes } from "node:crypto";

const PREFIX = "fd_";

/** A new API key secret: `fd_` + 32 random bytes in base64url (256 bits of entropy). */
export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

/**
 * sha256 of the secret, hex. A fast hash is enough because the secret is 256 random bits, not a
 * password: there is nothing to guess from a leaked hash, and a slow hash would cost every request.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The part shown in listings: enough to tell keys apart, far too little to use. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, PREFIX.length + 6);
}
