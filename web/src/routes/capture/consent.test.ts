import { describe, expect, it } from "vitest";
import { CONSENT_VERSION, giveConsent, readConsent, withdrawConsent } from "./consent.ts";
import { MemoryStorage } from "./testing/memory-storage.ts";

describe("consent", () => {
  it("is absent until given, remembered once given, gone once withdrawn", () => {
    const storage = new MemoryStorage();
    expect(readConsent(storage)).toBeNull();
    giveConsent(storage, new Date("2026-11-26T12:00:00Z"));
    expect(readConsent(storage)).toEqual({ version: CONSENT_VERSION, givenAt: "2026-11-26T12:00:00.000Z" });
    withdrawConsent(storage);
    expect(readConsent(storage)).toBeNull();
  });

  it("asks again when the notice's version changed or the record is garbage", () => {
    const storage = new MemoryStorage();
    storage.setItem(
      "facedrift.capture.consent",
      JSON.stringify({ version: 0, givenAt: "2020-01-01T00:00:00Z" }),
    );
    expect(readConsent(storage)).toBeNull();
    storage.setItem("facedrift.capture.consent", "{not json");
    expect(readConsent(storage)).toBeNull();
  });
});
