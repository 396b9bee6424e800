import { describe, expect, it } from "vitest";
import { facesLostFalseAlarms, facesLostOutcome, REPORT_ATTEMPTS, runAttempts } from "./faces-lost.ts";

const photos = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
/** 400 photos, `lost` of them without a face. */
const pool = (lost: number) => {
  const images = photos(400, "p");
  return { images, noFace: new Set(images.slice(0, lost)) };
};

describe("faces lost in the benchmark's streams of extraction reports", () => {
  it("catches a change that loses every face within the changed part and states its cost", () => {
    const o = facesLostOutcome(pool(8), pool(400), 1000, 1000, 20, 1);
    expect(o.caught).toBe(20);
    expect(o.cleanFindings).toBe(0);
    expect(Math.max(...o.delays)).toBeLessThanOrEqual(600);
    // 2 % → 100 %: the stated rise is the new level minus the old.
    for (const stated of o.stated) expect(stated).toBeGreaterThan(0.9);
    expect(new Set(o.severities)).toEqual(new Set(["critical"]));
  });

  it("stays quiet when the change loses no more faces than clean photos do", () => {
    const o = facesLostOutcome(pool(8), pool(8), 1000, 1000, 20, 2);
    expect(o.caught).toBe(0);
    expect(o.delays).toEqual([]);
    const fa = facesLostFalseAlarms(pool(8), 10, 10_000, 3);
    expect(fa.attempts).toBe(100_000);
    expect(fa.per10k).toBeLessThan(0.5);
  });

  it("reports findings at the attempt count of the report that carried them", () => {
    const flags = [...Array.from({ length: 1000 }, (_, i) => i % 50 === 0), ...Array(600).fill(true)];
    const found = runAttempts(flags);
    expect(found.length).toBe(1);
    expect((found[0]?.at as number) % REPORT_ATTEMPTS).toBe(0);
    expect(found[0]?.at).toBeGreaterThan(1000);
  });
});
