import { describe, expect, it } from "vitest";
import { partitionName, utcDay } from "./partitions.ts";

describe("partition naming", () => {
  it("uses the UTC day, whatever the local offset of the instant", () => {
    expect(utcDay(new Date("2026-11-26T23:30:00-05:00"))).toBe("2026-11-27");
    expect(partitionName("2026-11-27")).toBe("embeddings_p20261127");
  });
});
