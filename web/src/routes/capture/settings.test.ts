import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  deviceId,
  isValidStream,
  loadSettings,
  parseSettings,
  saveSettings,
  settingsFromFragment,
} from "./settings.ts";
import { MemoryStorage } from "./testing/memory-storage.ts";

describe("settings", () => {
  it("load the defaults when nothing is stored, and what was saved afterwards", () => {
    const storage = new MemoryStorage();
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    saveSettings(storage, { apiKey: "fd_k", stream: "lobby", apiBase: "https://fd.example/", rateHz: 1 });
    expect(loadSettings(storage)).toEqual({
      apiKey: "fd_k",
      stream: "lobby",
      apiBase: "https://fd.example",
      rateHz: 1,
    });
  });

  it("replace invalid fields with the defaults", () => {
    expect(parseSettings({ stream: "no spaces", rateHz: -1, apiKey: 7 })).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings("garbage")).toEqual(DEFAULT_SETTINGS);
  });

  it("read key, stream, api and rate from a URL fragment", () => {
    expect(settingsFromFragment("#key=fd_abc&stream=door-2&api=&rate=0.5")).toEqual({
      apiKey: "fd_abc",
      stream: "door-2",
      apiBase: "",
      rateHz: 0.5,
    });
    expect(settingsFromFragment("")).toBeNull();
    expect(settingsFromFragment("#section")).toBeNull();
  });

  it("check stream names with the server's rule", () => {
    expect(isValidStream("lobby-camera.2")).toBe(true);
    expect(isValidStream("-lobby")).toBe(false);
    expect(isValidStream("a".repeat(129))).toBe(false);
  });
});

describe("deviceId", () => {
  it("is generated once and then reused", () => {
    const storage = new MemoryStorage();
    let calls = 0;
    const create = () => `id-${++calls}`;
    expect(deviceId(storage, create)).toBe("browser-id-1");
    expect(deviceId(storage, create)).toBe("browser-id-1");
    expect(calls).toBe(1);
  });
});
