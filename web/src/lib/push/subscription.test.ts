import { describe, expect, it } from "vitest";
import { base64UrlToBytes } from "./subscription.ts";

describe("base64UrlToBytes", () => {
  it("decodes a VAPID public key (base64url, no padding) to its 65 raw bytes", () => {
    const bytes = Uint8Array.from({ length: 65 }, (_, i) => (i * 37 + 4) % 256);
    bytes[0] = 4; // an uncompressed P-256 point starts with 0x04
    const key = Buffer.from(bytes).toString("base64url");
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(base64UrlToBytes(key)).toEqual(bytes);
  });

  it("handles every padding length", () => {
    for (const length of [1, 2, 3, 4]) {
      const bytes = Uint8Array.from({ length }, (_, i) => 250 - i);
      expect(base64UrlToBytes(Buffer.from(bytes).toString("base64url"))).toEqual(bytes);
    }
  });
});
