import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("uses the defaults for an empty environment", () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it("reads the environment and lets flags override it", () => {
    const config = loadConfig(
      { PORT: "9000", DATABASE_URL: "postgres://x/y", FACEDRIFT_MAX_BATCH_ITEMS: "50" },
      { port: 7000, dataDir: undefined },
    );
    expect(config.port).toBe(7000);
    expect(config.databaseUrl).toBe("postgres://x/y");
    expect(config.maxBatchItems).toBe(50);
    expect(config.dataDir).toBe(DEFAULT_CONFIG.dataDir);
  });

  it("reads the retention period", () => {
    expect(loadConfig({ FACEDRIFT_RETENTION_DAYS: "30" }).retentionDays).toBe(30);
    expect(() => loadConfig({ FACEDRIFT_RETENTION_DAYS: "-1" })).toThrow(/FACEDRIFT_RETENTION_DAYS/);
    expect(loadConfig({}).retentionDays).toBe(30);
    expect(loadConfig({ FACEDRIFT_RETENTION_DAYS: "0" }).retentionDays).toBeUndefined();
    expect(loadConfig({ FACEDRIFT_RETENTION_DAYS: "off" }).retentionDays).toBeUndefined();
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(loadConfig({ DATABASE_URL: "" }).databaseUrl).toBeUndefined();
  });

  it("rejects a non-numeric limit", () => {
    expect(() => loadConfig({ FACEDRIFT_MAX_BODY_BYTES: "lots" })).toThrow(/FACEDRIFT_MAX_BODY_BYTES/);
    expect(() => loadConfig({ PORT: "70000" })).toThrow(
      /PORT must be a TCP port from 1 to 65535, got "70000"/,
    );
  });
});
