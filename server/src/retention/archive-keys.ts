/**
 * @module
 * The archive's key-encryption keys. `FACEDRIFT_ARCHIVE_KEYS` (or the file named by
 * `FACEDRIFT_ARCHIVE_KEYS_FILE`, e.g. a mounted Kubernetes Secret) lists them as `id:key` pairs,
 * separated by commas or new lines, each key 32 bytes in base64 or hex. New files are sealed with
 * `FACEDRIFT_ARCHIVE_KEY_ID` (default: the first listed); every listed key opens the files that
 * name it, so a rotation is: add the new key first in the list, keep the old ones until
 * `facedrift archive rekey` has re-wrapped every file, then drop them.
 *
 * On the embedded database with no key configured, a key is made once and kept beside the data
 * (`<data-dir>/archive-keys`, mode 0600), so `npm start` archives without set-up; that protects
 * archives copied off the host, not a copy of the whole data directory, and the server says so.
 * With PostgreSQL (several servers) there is no such default: archiving waits for configured keys.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseSecretKey } from "../alerts/sealed.ts";
import type { Kek, KekLookup } from "./envelope.ts";

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const LOCAL_KEY_FILE = "archive-keys";

export class ArchiveKeyRing implements KekLookup {
  private readonly byId: Map<string, Kek>;
  readonly active: Kek;

  /** `source` says where the keys came from, for messages. */
  constructor(
    keys: readonly Kek[],
    activeId: string | undefined,
    readonly source: string,
  ) {
    if (keys.length === 0) throw new Error(`${source}: no archive keys`);
    this.byId = new Map();
    for (const key of keys) {
      if (this.byId.has(key.id)) throw new Error(`${source}: archive key id "${key.id}" is listed twice`);
      this.byId.set(key.id, key);
    }
    const active = activeId === undefined ? keys[0] : this.byId.get(activeId);
    if (!active) throw new Error(`FACEDRIFT_ARCHIVE_KEY_ID "${activeId}" is not among the keys of ${source}`);
    this.active = active;
  }

  get(id: string): Kek | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}

/** `id:key` pairs, separated by commas or new lines; blank lines and `#` comments are skipped. */
export function parseArchiveKeys(raw: string, variable = "FACEDRIFT_ARCHIVE_KEYS"): Kek[] {
  return raw
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "" && !entry.startsWith("#"))
    .map((entry) => {
      const colon = entry.indexOf(":");
      const id = colon < 0 ? "" : entry.slice(0, colon);
      if (!KEY_ID.test(id)) {
        throw new Error(
          `${variable}: each entry is id:key with an id of 1–64 of A–Z a–z 0–9 . _ - (got "${id || entry.slice(0, 12)}…")`,
        );
      }
      return { id, key: parseSecretKey(entry.slice(colon + 1), `${variable} key "${id}"`) };
    });
}

export interface ArchiveKeySettings {
  /** From `FACEDRIFT_ARCHIVE_KEYS` or the file of `FACEDRIFT_ARCHIVE_KEYS_FILE`. */
  archiveKeys: Kek[];
  archiveKeyId: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
}

/**
 * The configured ring; else, on the embedded database, the one kept in the data directory (made
 * on first use when `create`); else null.
 */
export function archiveKeyRingFor(
  settings: ArchiveKeySettings,
  options: { create?: boolean } = {},
): ArchiveKeyRing | null {
  if (settings.archiveKeys.length > 0) {
    return new ArchiveKeyRing(settings.archiveKeys, settings.archiveKeyId, "FACEDRIFT_ARCHIVE_KEYS");
  }
  if (settings.databaseUrl) return null;
  const file = join(settings.dataDir, LOCAL_KEY_FILE);
  if (!existsSync(file)) {
    if (!options.create) return null;
    mkdirSync(dirname(file), { recursive: true });
    const id = `local-${new Date().toISOString().slice(0, 10)}`;
    // `wx`: two processes racing to create it do not overwrite each other's key.
    try {
      writeFileSync(
        file,
        `# Facedrift archive keys (id:key). Back this file up: archives need it.\n${id}:${randomBytes(32).toString("base64")}\n`,
        {
          mode: 0o600,
          flag: "wx",
        },
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return new ArchiveKeyRing(parseArchiveKeys(readFileSync(file, "utf8"), file), settings.archiveKeyId, file);
}

/** Thrown when a file must be written and no key is configured (PostgreSQL without keys). */
export class ArchiveKeysMissing extends Error {
  override readonly name = "ArchiveKeysMissing";
  constructor() {
    super(
      "archives are encrypted and no key is configured: set FACEDRIFT_ARCHIVE_KEYS (id:key, 32 bytes " +
        "base64 each, e.g. `archive-1:$(openssl rand -base64 32)`) or FACEDRIFT_ARCHIVE_KEYS_FILE",
    );
  }
}

/** The ring, or the error that says how to configure one. */
export function requireArchiveKeyRing(settings: ArchiveKeySettings): ArchiveKeyRing {
  const ring = archiveKeyRingFor(settings, { create: true });
  if (!ring) throw new ArchiveKeysMissing();
  return ring;
}
