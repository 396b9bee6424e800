import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ArchiveCryptoError,
  isSealedArchive,
  type Kek,
  openArchive,
  peekArchive,
  rewrapArchive,
  sealArchive,
} from "./envelope.ts";

const ring = (...keys: Kek[]) => ({ get: (id: string) => keys.find((k) => k.id === id) });
const kek = (id: string): Kek => ({ id, key: randomBytes(32) });
const meta = {
  tenantId: 3,
  streamId: 7,
  stream: "lobby",
  day: "2026-10-01",
  rows: 2,
  firstSeq: 10,
  lastSeq: 11,
  model: "m@1",
  dimension: 3,
};
const plaintext = new TextEncoder().encode("PAR1 face embeddings of cam-secret-device PAR1");

describe("archive envelope (AES-256-GCM data key per file, wrapped by a KEK)", () => {
  it("opens with its KEK and gives back the plaintext and the metadata", () => {
    const k1 = kek("k1");
    const sealed = sealArchive(plaintext, meta, k1);
    expect(isSealedArchive(sealed)).toBe(true);
    expect(isSealedArchive(plaintext)).toBe(false);
    const opened = openArchive(sealed, ring(k1));
    expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
    expect(opened.kekId).toBe("k1");
    expect(opened.meta).toMatchObject({ ...meta, format: "facedrift.archive/1" });
    expect(Buffer.from(sealed).includes(Buffer.from("cam-secret-device"))).toBe(false);
  });

  it("each file has its own data key and nonce: the same plaintext seals differently", () => {
    const k1 = kek("k1");
    const a = sealArchive(plaintext, meta, k1);
    const b = sealArchive(plaintext, meta, k1);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it("refuses without the named key, with another key under that name, and after any edit", () => {
    const k1 = kek("k1");
    const sealed = sealArchive(plaintext, meta, k1);
    expect(() => openArchive(sealed, ring())).toThrow(/sealed with key "k1"/);
    expect(() => openArchive(sealed, ring({ id: "k1", key: randomBytes(32) }))).toThrow(ArchiveCryptoError);
    // Flip one bit anywhere: the metadata, the key block, the ciphertext, the tag.
    for (const at of [12, 40, sealed.length - 30, sealed.length - 1]) {
      const edited = Uint8Array.from(sealed);
      edited[at] = (edited[at] as number) ^ 0x01;
      expect(() => openArchive(edited, ring(k1))).toThrow();
    }
    expect(() => openArchive(sealed.subarray(0, sealed.length - 20), ring(k1))).toThrow();
  });

  it("authenticates the metadata: a file cannot claim another stream or day", () => {
    const k1 = kek("k1");
    const sealed = Buffer.from(sealArchive(plaintext, meta, k1));
    const text = sealed.toString("latin1");
    // Same length, so the framing stays valid and only authentication can catch it.
    const forged = Buffer.from(text.replace('"day":"2026-10-01"', '"day":"2026-10-02"'), "latin1");
    expect(forged.equals(sealed)).toBe(false);
    expect(peekArchive(forged).meta.day).toBe("2026-10-02");
    expect(() => openArchive(forged, ring(k1))).toThrow(/altered/);
  });

  it("a key rotation re-wraps only the data key: metadata and ciphertext stay byte for byte", () => {
    const old = kek("old");
    const next = kek("new");
    const sealed = sealArchive(plaintext, meta, old);
    const rewrapped = rewrapArchive(sealed, ring(old), next);
    expect(peekArchive(rewrapped)).toEqual({ meta: peekArchive(sealed).meta, kekId: "new" });
    expect(
      Buffer.from(rewrapped.subarray(rewrapped.length - 40)).equals(
        Buffer.from(sealed.subarray(sealed.length - 40)),
      ),
    ).toBe(true);
    expect(Buffer.from(openArchive(rewrapped, ring(next)).plaintext).equals(Buffer.from(plaintext))).toBe(
      true,
    );
    expect(() => openArchive(rewrapped, ring(old))).toThrow(/sealed with key "new"/);
  });

  it("a wrapped data key moved into another file does not open it", () => {
    const k1 = kek("k1");
    const a = Buffer.from(sealArchive(plaintext, meta, k1));
    const b = Buffer.from(sealArchive(plaintext, { ...meta, day: "2026-10-02" }, k1));
    const keyBlock = (file: Buffer) => {
      const metaLength = file.readUInt32BE(8);
      const start = 12 + metaLength;
      return [start, start + 4 + file.readUInt32BE(start)] as const;
    };
    const [aStart, aEnd] = keyBlock(a);
    const [bStart, bEnd] = keyBlock(b);
    const spliced = Buffer.concat([b.subarray(0, bStart), a.subarray(aStart, aEnd), b.subarray(bEnd)]);
    expect(() => openArchive(spliced, ring(k1))).toThrow(ArchiveCryptoError);
  });

  it("round-trips any bytes (property)", () => {
    const k1 = kek("k1");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const opened = openArchive(sealArchive(bytes, meta, k1), ring(k1));
        return Buffer.from(opened.plaintext).equals(Buffer.from(bytes));
      }),
      { numRuns: 50 },
    );
  });
});
