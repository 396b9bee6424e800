import { describe, expect, it } from "vitest";
import { runDemo } from "./run-demo.ts";

describe("facedrift demo", () => {
  it("runs the real server end to end and both detectors see the injected drift, not before it", async () => {
    const lines: string[] = [];
    const result = await runDemo({
      dimension: 64,
      referenceSize: 1000,
      before: 800,
      after: 800,
      shift: 0.6,
      seed: 3,
      say: (line) => lines.push(line),
    });
    expect(result.driftStartsAt).toBe(1800);
    expect(result.batchBefore).toEqual({ severity: "none", drift: false });
    expect(result.streamDetection?.delay).toBeGreaterThanOrEqual(0);
    expect(result.streamDetection?.delay).toBeLessThan(500);
    expect(result.batchAfter).toMatchObject({ severity: "high", drift: true });
    expect(lines.some((l) => l.includes("stream detector (ADWIN on PC1) fired"))).toBe(true);
  }, 240_000);
});
