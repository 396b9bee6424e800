/**
 * @module
 * Envelope encryption of archive files. Each file gets its own random 256-bit data key; the
 * Parquet bytes are sealed with it (AES-256-GCM), and the data key is wrapped (AES-256-GCM) by a
 * key-encryption key (KEK) from configuration, named by a key id. The file's metadata (stream,
 * day, seq range, row count, the plaintext's SHA-256) is the data's associated data, so it cannot
 * be edited or moved onto another file's ciphertext without the open failing.
 *
 * Layout (all integers big-endian):
 *
 * ```
 * "FDARCH\0\1"  8 bytes  magic and format version
 * u32 + bytes            metadata, JSON (UTF-8)       ┐ associated data of the data cipher:
 *                                                      ┘ authenticated, readable without a key
 * u32 + bytes            key block, JSON: { kek, nonce, wrapped }
 * bytes                  ciphertext ‖ 16-byte GCM tag
 * ```
 *
 * The key block sits outside the associated data on purpose: rotating the KEK re-wraps the data
 * key (`rewrap`) and rewrites only that block, never the data. The wrap itself binds the KEK id
 * and the data nonce as its associated data, so a wrapped key cannot be replayed into another file.
 *
 * Node's `crypto` has AES-GCM; a library would add nothing for two calls of one cipher.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export const ARCHIVE_FORMAT = "facedrift.archive/1";
const MAGIC = Buffer.from("FDARCH\0\x01", "latin1");
const TAG_BYTES = 16;
const NONCE_BYTES = 12;

/** What a file says about itself: authenticated, and readable without the key (`archive list`). */
export interface ArchiveMeta {
  format: typeof ARCHIVE_FORMAT;
  tenantId: number;
  streamId: number;
  stream: string;
  /** The receive day, `YYYY-MM-DD` (UTC). */
  day: string;
  rows: number;
  /** Null for a day whose every row was erased. */
  firstSeq: number | null;
  lastSeq: number | null;
  /** `id@version` of the stream's model. */
  model: string;
  dimension: number;
  /** SHA-256 (hex) of the Parquet bytes inside. */
  sha256: string;
  /** The data cipher's nonce (base64). */
  nonce: string;
  writtenAt: string;
}

export type ArchiveMetaInput = Omit<ArchiveMeta, "format" | "sha256" | "nonce" | "writtenAt"> & {
  writtenAt?: string;
};

interface KeyBlock {
  kek: string;
  nonce: string;
  wrapped: string;
}

/** A key-encryption key: 32 bytes and the id files name it by. */
export interface Kek {
  id: string;
  key: Buffer;
}

/** Finds a KEK by id; the key ring (`archive-keys.ts`) implements it. */
export interface KekLookup {
  get(id: string): Kek | undefined;
}

export class ArchiveCryptoError extends Error {
  override readonly name = "ArchiveCryptoError";
}

/** True for what `seal` writes; a legacy plaintext archive starts with Parquet's `PAR1`. */
export function isSealedArchive(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= MAGIC.length &&
    Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).equals(MAGIC)
  );
}

/** Seals `plaintext` (a Parquet file) under a fresh data key wrapped by `kek`. */
export function sealArchive(plaintext: Uint8Array, input: ArchiveMetaInput, kek: Kek): Uint8Array {
  const dataKey = randomBytes(32);
  const nonce = randomBytes(NONCE_BYTES);
  const meta: ArchiveMeta = {
    format: ARCHIVE_FORMAT,
    ...input,
    sha256: createHash("sha256").update(plaintext).digest("hex"),
    nonce: nonce.toString("base64"),
    writtenAt: input.writtenAt ?? new Date().toISOString(),
  };
  const metaSection = section(Buffer.from(JSON.stringify(meta), "utf8"));
  const aad = Buffer.concat([MAGIC, metaSection]);
  const cipher = createCipheriv("aes-256-gcm", dataKey, nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const keySection = section(Buffer.from(JSON.stringify(wrapKey(dataKey, nonce, kek)), "utf8"));
  dataKey.fill(0);
  return new Uint8Array(Buffer.concat([aad, keySection, ciphertext]));
}

export interface OpenedArchive {
  meta: ArchiveMeta;
  kekId: string;
  plaintext: Uint8Array;
}

/** Opens what `sealArchive` wrote; fails without the named KEK, with a wrong one, or on any edit. */
export function openArchive(bytes: Uint8Array, keys: KekLookup): OpenedArchive {
  const parsed = parse(bytes);
  const kek = keys.get(parsed.key.kek);
  if (!kek) {
    throw new ArchiveCryptoError(
      `archive is sealed with key "${parsed.key.kek}", which is not in FACEDRIFT_ARCHIVE_KEYS`,
    );
  }
  const dataKey = unwrapKey(parsed.key, parsed.dataNonce, kek);
  const body = parsed.body;
  if (body.length < TAG_BYTES) throw new ArchiveCryptoError("archive is truncated");
  const decipher = createDecipheriv("aes-256-gcm", dataKey, parsed.dataNonce);
  decipher.setAAD(parsed.aad);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ArchiveCryptoError("archive failed authentication: its metadata or data were altered");
  } finally {
    dataKey.fill(0);
  }
  if (createHash("sha256").update(plaintext).digest("hex") !== parsed.meta.sha256) {
    throw new ArchiveCryptoError("archive's plaintext does not match the SHA-256 in its metadata");
  }
  return { meta: parsed.meta, kekId: parsed.key.kek, plaintext: new Uint8Array(plaintext) };
}

/** The metadata and KEK id of a sealed file, without any key (its integrity is checked on open). */
export function peekArchive(bytes: Uint8Array): { meta: ArchiveMeta; kekId: string } {
  const parsed = parse(bytes);
  return { meta: parsed.meta, kekId: parsed.key.kek };
}

/**
 * Re-wraps the file's data key under `to`, leaving metadata and ciphertext byte for byte: what a
 * key rotation does to old files. Needs the KEK the file names.
 */
export function rewrapArchive(bytes: Uint8Array, keys: KekLookup, to: Kek): Uint8Array {
  const parsed = parse(bytes);
  const from = keys.get(parsed.key.kek);
  if (!from)
    throw new ArchiveCryptoError(`archive is sealed with key "${parsed.key.kek}", which is not configured`);
  const dataKey = unwrapKey(parsed.key, parsed.dataNonce, from);
  const keySection = section(Buffer.from(JSON.stringify(wrapKey(dataKey, parsed.dataNonce, to)), "utf8"));
  dataKey.fill(0);
  return new Uint8Array(Buffer.concat([parsed.aad, keySection, parsed.body]));
}

function wrapKey(dataKey: Buffer, dataNonce: Buffer, kek: Kek): KeyBlock {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", kek.key, nonce);
  cipher.setAAD(wrapContext(kek.id, dataNonce));
  const wrapped = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return { kek: kek.id, nonce: nonce.toString("base64"), wrapped: wrapped.toString("base64") };
}

function unwrapKey(block: KeyBlock, dataNonce: Buffer, kek: Kek): Buffer {
  const wrapped = Buffer.from(block.wrapped, "base64");
  const decipher = createDecipheriv("aes-256-gcm", kek.key, Buffer.from(block.nonce, "base64"));
  decipher.setAAD(wrapContext(block.kek, dataNonce));
  decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(wrapped.subarray(0, wrapped.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new ArchiveCryptoError(
      `archive's data key does not open with key "${block.kek}": a different key has that id`,
    );
  }
}

const wrapContext = (kekId: string, dataNonce: Buffer) =>
  Buffer.concat([Buffer.from(`${ARCHIVE_FORMAT}:kek=${kekId}:`, "utf8"), dataNonce]);

function section(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

interface Parsed {
  meta: ArchiveMeta;
  key: KeyBlock;
  dataNonce: Buffer;
  aad: Buffer;
  body: Buffer;
}

function parse(bytes: Uint8Array): Parsed {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isSealedArchive(bytes)) throw new ArchiveCryptoError("not a sealed Facedrift archive");
  let offset = MAGIC.length;
  const read = (what: string): Buffer => {
    if (offset + 4 > buffer.length) throw new ArchiveCryptoError(`archive is truncated in its ${what}`);
    const length = buffer.readUInt32BE(offset);
    const start = offset + 4;
    if (start + length > buffer.length) throw new ArchiveCryptoError(`archive is truncated in its ${what}`);
    offset = start + length;
    return buffer.subarray(start, offset);
  };
  const metaBytes = read("metadata");
  const aad = buffer.subarray(0, offset);
  const keyBytes = read("key block");
  let meta: ArchiveMeta;
  let key: KeyBlock;
  try {
    meta = JSON.parse(metaBytes.toString("utf8")) as ArchiveMeta;
    key = JSON.parse(keyBytes.toString("utf8")) as KeyBlock;
  } catch {
    throw new ArchiveCryptoError("archive header is not valid JSON");
  }
  if (meta.format !== ARCHIVE_FORMAT)
    throw new ArchiveCryptoError(`archive format "${meta.format}" is not ${ARCHIVE_FORMAT}`);
  if (typeof key.kek !== "string" || typeof key.nonce !== "string" || typeof key.wrapped !== "string")
    throw new ArchiveCryptoError("archive key block is malformed");
  return { meta, key, dataNonce: Buffer.from(meta.nonce, "base64"), aad, body: buffer.subarray(offset) };
}
