import { describe, expect, it } from "vitest";
import { isActive, progressText } from "./verification.ts";

describe("verification job progress", () => {
  it("says what a job is waiting for, how far it got, and how long is left", () => {
    expect(progressText({ status: "queued", progress: null })).toBe("waiting for a replica");
    expect(progressText({ status: "running", progress: null })).toBe("loading models");
    const progress = { done: 412, total: 2000, elapsedMs: 60_000, etaMs: 180_000 };
    expect(progressText({ status: "running", progress })).toBe("412 / 2,000 images · about 3 min left");
    expect(progressText({ status: "running", progress: { ...progress, etaMs: 20_000 } })).toBe(
      "412 / 2,000 images · under a minute left",
    );
    expect(progressText({ status: "succeeded", progress: { ...progress, done: 2000, etaMs: 0 } })).toBe(
      "2,000 / 2,000 images",
    );
    expect(progressText({ status: "failed", progress: null })).toBe("—");
  });

  it("polls only while a job is queued or running", () => {
    expect(
      ["queued", "running", "succeeded", "failed"].map((status) => isActive({ status } as never)),
    ).toEqual([true, true, false, false]);
  });
});
