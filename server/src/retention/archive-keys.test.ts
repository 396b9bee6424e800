import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/config.ts";
import {
  ArchiveKeyRing,
  archiveKeyRingFor,
  parseArchiveKeys,
  requireArchiveKeyRing,
} from "./archive-keys.ts";

const b64 = () => randomBytes(32).toString("base64");
const dir = mkdtempSync(join(tmpdir(), "facedrift-archive-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("archive key ring", () => {
  it("parses id:key pairs (base64 or hex) separated by commas or lines, with comments", () => {
    const hex = randomBytes(32).toString("hex");
    const keys = parseArchiveKeys(`# rotated 2026-12\nnew:${b64()}\n\nold:${hex}, older-1.x:${b64()}`);
    expect(keys.map((k) => k.id)).toEqual(["new", "old", "older-1.x"]);
    expect(keys[1]?.key).toEqual(Buffer.from(hex, "hex"));
  });

  it("names the problem: a missing id, a short key, a duplicate id, an unknown active id", () => {
    expect(() => parseArchiveKeys(b64())).toThrow(/id:key/);
    expect(() => parseArchiveKeys(`k1:${randomBytes(16).toString("base64")}`)).toThrow(
      /key "k1" must be 32 bytes/,
    );
    const [k] = parseArchiveKeys(`k1:${b64()}`);
    expect(() => new ArchiveKeyRing([k!, k!], undefined, "X")).toThrow(/listed twice/);
    expect(() => new ArchiveKeyRing([k!], "k9", "X")).toThrow(/FACEDRIFT_ARCHIVE_KEY_ID "k9"/);
  });

  it("the first key is active unless FACEDRIFT_ARCHIVE_KEY_ID picks another; all of them open", () => {
    const keys = parseArchiveKeys(`a:${b64()},b:${b64()}`);
    expect(new ArchiveKeyRing(keys, undefined, "X").active.id).toBe("a");
    const ring = new ArchiveKeyRing(keys, "b", "X");
    expect(ring.active.id).toBe("b");
    expect(ring.get("a")).toBe(keys[0]);
    expect(ring.ids()).toEqual(["a", "b"]);
  });

  it("comes from the environment or a file, never both", () => {
    const file = join(dir, "keys");
    const key = `from-file:${b64()}`;
    writeFileSync(file, `${key}\n`);
    expect(loadConfig({ FACEDRIFT_ARCHIVE_KEYS_FILE: file }).archiveKeys.map((k) => k.id)).toEqual([
      "from-file",
    ]);
    expect(
      loadConfig({ FACEDRIFT_ARCHIVE_KEYS: key, FACEDRIFT_ARCHIVE_KEY_ID: "from-file" }).archiveKeyId,
    ).toBe("from-file");
    expect(() => loadConfig({ FACEDRIFT_ARCHIVE_KEYS: key, FACEDRIFT_ARCHIVE_KEYS_FILE: file })).toThrow(
      /not both/,
    );
    expect(() => loadConfig({ FACEDRIFT_ARCHIVE_KEYS: key, FACEDRIFT_ARCHIVE_KEY_ID: "nope" })).toThrow(
      /not one of/,
    );
    expect(() => loadConfig({ FACEDRIFT_ARCHIVE_KEYS_FILE: join(dir, "missing") })).toThrow(/cannot read/);
    expect(() => loadConfig({ FACEDRIFT_ARCHIVE_S3_SSE: "yes" })).toThrow(/AES256 or aws:kms/);
    expect(() => loadConfig({ FACEDRIFT_ARCHIVE_S3_KMS_KEY_ID: "k" })).toThrow(/aws:kms/);
  });

  it("on the embedded database makes one key beside the data (0600); with PostgreSQL there is none", () => {
    const settings = {
      archiveKeys: [],
      archiveKeyId: undefined,
      dataDir: join(dir, "data"),
      databaseUrl: undefined,
    };
    expect(archiveKeyRingFor(settings)).toBeNull();
    const made = requireArchiveKeyRing(settings);
    const file = join(dir, "data", "archive-keys");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toContain(`${made.active.id}:`);
    // The same key on every later start.
    expect(requireArchiveKeyRing(settings).active.key).toEqual(made.active.key);
    expect(() => requireArchiveKeyRing({ ...settings, databaseUrl: "postgres://x/y" })).toThrow(
      /FACEDRIFT_ARCHIVE_KEYS/,
    );
  });
});
