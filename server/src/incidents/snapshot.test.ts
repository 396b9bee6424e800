/**
 * How incident titles and the API's detector chips name each finding kind: every kind a detector
 * records reads in words (a raw kind such as `faces-lost-stream` in a title is a missing label).
 */
import { describe, expect, it } from "vitest";
import { incidentTitle, kindLabel } from "./snapshot.ts";

/** Every `payload.kind` a detector records (docs/incidents.md; `-costly`/`-high` are severities). */
const RECORDED_KINDS = [
  "pc1",
  "residual",
  "mmd",
  "batch",
  "verification",
  "quality",
  "faces-lost",
  "faces-lost-stream",
];

describe("finding kind labels", () => {
  it("names every recorded kind in words", () => {
    for (const kind of RECORDED_KINDS) expect(kindLabel(kind), kind).not.toBe(kind);
    expect(kindLabel("faces-lost")).toBe("faces lost (image uploads)");
    expect(kindLabel("faces-lost-stream")).toBe("faces lost (extraction reports)");
  });

  it("titles an incident with its detectors' labels; a kind it does not know reads as itself", () => {
    expect(
      incidentTitle({ category: "input", detectors: ["residual", "faces-lost-stream", "face-size"] }, "gate"),
    ).toBe("Drift on gate: PCA residual shift (ADWIN), faces lost (extraction reports), face-size");
  });
});
