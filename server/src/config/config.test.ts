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

  it("refuses a weak FACEDRIFT_ADMIN_KEY, and takes a random one", () => {
    for (const weak of [
      "admin",
      "fd_test_key",
      "CHANGE-ME",
      "a".repeat(40),
      "CHANGE-ME-0123456789abcdefghijklmnop",
      "fd key with spaces 0123456789abcdef",
    ]) {
      expect(() => loadConfig({ FACEDRIFT_ADMIN_KEY: weak }), weak).toThrow(/FACEDRIFT_ADMIN_KEY/);
    }
    const strong = "fd_7c1e9a4b2d8f6035e1a7c9b3d5f28e4a6c1b";
    expect(loadConfig({ FACEDRIFT_ADMIN_KEY: strong }).adminKey).toBe(strong);
  });

  it("reads the connection limits, trusted proxies and request budgets, and refuses nonsense", () => {
    const config = loadConfig({
      FACEDRIFT_TRUSTED_PROXIES: "10.0.0.0/8, fd00::/8,192.168.1.5",
      FACEDRIFT_HEADERS_TIMEOUT_MS: "5000",
      FACEDRIFT_MAX_CONNECTIONS: "100",
      FACEDRIFT_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "30",
      FACEDRIFT_MAX_FUTURE_SKEW_SECONDS: "60",
    });
    expect(config).toMatchObject({
      trustedProxies: ["10.0.0.0/8", "fd00::/8", "192.168.1.5"],
      headersTimeoutMs: 5000,
      maxConnections: 100,
      anonymousRateLimitPerMinute: 30,
      maxFutureSkewMs: 60_000,
    });
    expect(() => loadConfig({ FACEDRIFT_TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(/10\.0\.0\.0\/33/);
    expect(() => loadConfig({ FACEDRIFT_TRUSTED_PROXIES: "proxy.local" })).toThrow(/proxy\.local/);
    expect(() => loadConfig({ FACEDRIFT_HEADERS_TIMEOUT_MS: "200000" })).toThrow(/HEADERS_TIMEOUT/);
    expect(() => loadConfig({ FACEDRIFT_PUSH_EGRESS: "anywhere" })).toThrow(/FACEDRIFT_PUSH_EGRESS/);
  });
});
