/**
 * @module
 * Fetches a model's files through a host-supplied source and checks each against its SHA-256
 * before any byte reaches an engine. WebCrypto does the hashing: it exists in Node ≥ 20, browsers
 * and workers alike, so no hashing library is needed.
 */
import { ModelError } from "../errors.ts";
import { derive } from "./derive.ts";
import type { ModelEntry } from "./types.ts";

/** Reads one file of a model: `packageName` is `null` for user-supplied models. */
export type FileSource = (packageName: string | null, path: string) => Promise<Uint8Array>;

/** A model's files, keyed by registry path, all verified. */
export type VerifiedFiles = ReadonlyMap<string, Uint8Array>;

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Loads every file of `entry` and throws `checksum-mismatch` if any differs from the registry. */
export async function loadVerifiedFiles(entry: ModelEntry, source: FileSource): Promise<VerifiedFiles> {
  const files = new Map<string, Uint8Array>();
  for (const file of entry.files) {
    let bytes = await source(entry.package, file.path);
    if (entry.derived) {
      const shipped = await sha256Hex(bytes);
      if (shipped !== entry.derived.sourceSha256) {
        throw new ModelError(
          "checksum-mismatch",
          `${entry.id}: ${file.path} (the source of the derived model) has SHA-256 ${shipped}, the registry expects ${entry.derived.sourceSha256}`,
        );
      }
      bytes = derive(entry.derived.derivation, bytes);
    }
    const actual = await sha256Hex(bytes);
    if (actual !== file.sha256) {
      throw new ModelError(
        "checksum-mismatch",
        `${entry.id}: ${file.path} has SHA-256 ${actual}, the registry expects ${file.sha256}`,
      );
    }
    files.set(file.path, bytes);
  }
  return files;
}
