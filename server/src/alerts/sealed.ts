/**
 * @module
 * Channel secrets at rest. Alert channel configs hold credentials (a webhook's HMAC secret, a
 * Slack URL whose path is the credential, a PagerDuty key, an SMTP password) and the VAPID private
 * key signs every push: a copy of the database must not hand them out. With
 * `FACEDRIFT_SECRET_KEY` (32 bytes, base64 or hex) they are stored sealed with AES-256-GCM, the
 * tenant bound in as associated data so a sealed config cannot be moved to another tenant.
 * Without a key they are stored as given (a development default, warned about at start).
 *
 * Node's `crypto` does AES-GCM; no library is needed for one cipher with a random nonce.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const FORMAT = "v1";
/** Where a sealed value starts: `v1.<nonce>.<tag>.<ciphertext>`, each base64url. */
const SEALED = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

/**
 * 32 bytes from base64 (44 characters) or hex (64); anything else is a configuration error naming
 * `variable` (the archive's key ring reads its keys the same way).
 */
export function parseSecretKey(raw: string, variable = "FACEDRIFT_SECRET_KEY"): Buffer {
  const hex = /^[0-9a-f]{64}$/i.test(raw);
  const key = Buffer.from(raw, hex ? "hex" : "base64");
  // Buffer.from skips what is not base64: re-encoding tells a real key from a typo.
  const exact = hex || key.toString("base64").replace(/=+$/, "") === raw.replace(/=+$/, "");
  if (key.length !== 32 || !exact) {
    throw new Error(`${variable} must be 32 bytes, base64 or hex (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

export function isSealed(value: unknown): value is string {
  return typeof value === "string" && SEALED.test(value);
}

/** Seals `plaintext` under `key`, bound to `context` (e.g. `alert-channel:tenant:3`). */
export function seal(plaintext: string, key: Buffer, context: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [nonce, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64url"));
  return [FORMAT, ...parts].join(".");
}

export class SealedSecretError extends Error {
  override readonly name = "SealedSecretError";
}

/** Opens what `seal` made; throws `SealedSecretError` without a key, with another key or context. */
export function open(sealed: string, key: Buffer | null, context: string): string {
  const match = SEALED.exec(sealed);
  if (!match) throw new SealedSecretError("not a sealed value");
  if (!key) {
    throw new SealedSecretError(`${context} is sealed, and FACEDRIFT_SECRET_KEY is not set`);
  }
  const [nonce, tag, ciphertext] = match.slice(1).map((part) => Buffer.from(part as string, "base64url"));
  const decipher = createDecipheriv("aes-256-gcm", key, nonce as Buffer);
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tag as Buffer);
  try {
    return Buffer.concat([decipher.update(ciphertext as Buffer), decipher.final()]).toString("utf8");
  } catch {
    throw new SealedSecretError(`${context} was sealed with another FACEDRIFT_SECRET_KEY`);
  }
}

let current: Buffer | null = null;

/** The process's key, set once from the config when it starts (`cli/options.ts`, `http/app.ts`). */
export function setSecretKey(key: Buffer | null): void {
  current = key;
}

export function secretKey(): Buffer | null {
  return current;
}

/** What a channel's config is stored as: `{ type, sealed }` with a key, the config itself without. */
export function sealChannelConfig<C extends { type: string }>(
  config: C,
  tenantId: number,
  key: Buffer | null = current,
): C | { type: C["type"]; sealed: string } {
  if (!key) return config;
  return { type: config.type, sealed: seal(JSON.stringify(config), key, channelContext(tenantId)) };
}

/** The config a stored row holds, opened when sealed. */
export function openChannelConfig(stored: unknown, tenantId: number, key: Buffer | null = current): unknown {
  const sealed = (stored as { sealed?: unknown } | null)?.sealed;
  if (!isSealed(sealed)) return stored;
  return JSON.parse(open(sealed, key, channelContext(tenantId)));
}

const channelContext = (tenantId: number) => `alert-channel:tenant:${tenantId}`;
export const VAPID_CONTEXT = "vapid-private-key";
