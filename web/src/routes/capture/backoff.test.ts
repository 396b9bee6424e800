import { describe, expect, it } from "vitest";
import { retryDelay } from "./backoff.ts";

const policy = { baseMs: 1_000, capMs: 10_000, jitter: 0.5 };

describe("retryDelay", () => {
  it("doubles from the base up to the cap without jitter", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(attempt, policy, () => 0));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it("takes away at most the jitter fraction", () => {
    expect(retryDelay(3, policy, () => 1)).toBe(2_000);
    expect(retryDelay(3, policy, () => 0.5)).toBe(3_000);
  });

  it("rejects attempt numbers below 1", () => {
    expect(() => retryDelay(0, policy)).toThrow(/attempt must be ≥ 1/);
  });
});
