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
    // One injected pipeline change, one incident, holding every detector that fired: an input
    // change (embeddings off the face space), critical from the high batch run.
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]).toMatchObject({ severity: "critical", status: "open", category: "input" });
    expect(result.incidents[0]?.detectors).toEqual(expect.arrayContaining(["pc1", "batch"]));
    // Where to look and how to log in.
    expect(result.dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alerts\?incident=\d+$/);
    expect(result.dashboard.email).toBe("demo@facedrift.local");
    expect(
      lines.some((l) => l.startsWith("API: ") && l.includes(`export KEY=${result.dashboard.apiKey}`)),
    ).toBe(true);
    expect(
      lines.some(
        (l) =>
          l.startsWith("dashboard: ") &&
          (result.dashboard.built
            ? l.includes(result.dashboard.password)
            : l.includes("npm run build -w web")),
      ),
    ).toBe(true);
  }, 240_000);
});
