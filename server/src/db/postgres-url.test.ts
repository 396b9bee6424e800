import { describe, expect, it } from "vitest";
import { optionsFromUrl, reconnectDelaySeconds } from "./postgres.ts";

describe("Facedrift parameters in DATABASE_URL", () => {
  it("are read and removed, leaving postgres.js's own parameters alone", () => {
    expect(optionsFromUrl("postgres://u:p@db:5432/app?pool_max=1&binary_copy=off&sslmode=require")).toEqual({
      url: "postgres://u:p@db:5432/app?sslmode=require",
      options: { max: 1, copy: false },
    });
    expect(optionsFromUrl("postgres://db/app")).toEqual({ url: "postgres://db/app", options: {} });
  });

  it("refuse values they cannot mean, naming the parameter", () => {
    expect(() => optionsFromUrl("postgres://db/app?pool_max=0")).toThrow(
      /pool_max must be a positive integer/,
    );
    expect(() => optionsFromUrl("postgres://db/app?binary_copy=no")).toThrow(
      /binary_copy must be "on" or "off"/,
    );
  });
});

describe("reconnectDelaySeconds", () => {
  it("grows from tens of milliseconds and never passes one second", () => {
    expect(reconnectDelaySeconds(0)).toBeLessThanOrEqual(0.05);
    for (let failures = 0; failures < 40; failures++) {
      expect(reconnectDelaySeconds(failures)).toBeGreaterThan(0);
      expect(reconnectDelaySeconds(failures)).toBeLessThanOrEqual(1);
    }
  });
});
