import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Alert } from "$lib/api/alerts.ts";
import { alertFacts, findingLabel, pValue } from "./facts.ts";

const alert = (numbers: Record<string, unknown>): Alert => ({
  id: 1,
  stream: "lobby",
  detector: "batch",
  severity: "critical",
  payload: { title: "t", numbers },
  createdAt: "2026-11-26T10:00:00.000Z",
  acknowledgedAt: null,
  incidentId: 3,
  category: null,
});

describe("alertFacts", () => {
  it("shows the batch numbers in a fixed order and notation", () => {
    expect(
      alertFacts(
        alert({
          psi: [0.02, 0.31, 0.12],
          flaggedDimensions: [1, 2],
          ksStatistic: 0.2345,
          mmd2: 0.01234,
          pValue: 0.000999,
          extra: { "KS-flagged components": 2, "kNN novelty rate": 0.125 },
        }),
      ),
    ).toEqual([
      { label: "max PSI", value: "0.310 (PC2)" },
      { label: "PSI ≥ 0.1", value: "PC2, PC3" },
      { label: "max KS", value: "0.234" },
      { label: "MMD²", value: "0.0123" },
      { label: "p", value: "< 0.001" },
      { label: "KS-flagged components", value: "2" },
      { label: "kNN novelty rate", value: "0.125" },
    ]);
  });

  it("shortens a long flagged list, shows the streaming and verification numbers, and nothing for an empty payload", () => {
    expect(
      alertFacts(alert({ psi: [0.2, 0.3, 0.4, 0.5, 0.6, 0.01], flaggedDimensions: [0, 1, 2, 3, 4] })),
    ).toContainEqual({
      label: "PSI ≥ 0.1",
      value: "5 of 6: PC1, PC2, PC3, …",
    });
    expect(alertFacts(alert({ pc1MeanBefore: 0.1, pc1MeanAfter: -0.25 }))).toEqual([
      { label: "PC1 mean", value: "0.100 → -0.250" },
    ]);
    expect(alertFacts(alert({ auc: 0.97123 }))).toEqual([{ label: "AUC", value: "0.9712" }]);
    expect(alertFacts({ ...alert({}), payload: {} })).toEqual([]);
  });

  it("reads p-values at the permutation floor as < 0.001", () => {
    expect(pValue(0.000999000999000999)).toBe("< 0.001");
    expect(pValue(0.0123)).toBe("0.012");
  });

  it("names a finding by its kind, so an MMD window is not called ADWIN", () => {
    expect(findingLabel({ detector: "stream", payload: { kind: "mmd" } })).toBe("MMD² window");
    expect(findingLabel({ detector: "stream", payload: { signal: "pc1" } })).toBe("PC1 shift (ADWIN)");
    expect(findingLabel({ detector: "batch", payload: {} })).toBe("batch check (PSI/KS/MMD)");
    expect(findingLabel({ detector: "stream", payload: { kind: "face-size" } })).toBe("face-size");
  });

  it("names the faces-lost findings in words, not by their kind or signal", () => {
    expect(
      findingLabel({ detector: "stream", payload: { kind: "faces-lost-stream", signal: "extraction" } }),
    ).toBe("faces lost (extraction reports)");
    expect(findingLabel({ detector: "batch", payload: { kind: "faces-lost" } })).toBe(
      "faces lost (image uploads)",
    );
  });

  it("labels every finding kind as the server's incident titles do", () => {
    const server = readFileSync(
      new URL("../../../../../server/src/incidents/snapshot.ts", import.meta.url),
      "utf8",
    );
    const table = /FINDING_KIND_LABEL[^{]*\{([^}]*)\}/.exec(server)?.[1] ?? "";
    const entries = [...table.matchAll(/^\s*"?([\w-]+)"?:\s*"([^"]+)",?$/gm)];
    expect(entries.length).toBeGreaterThanOrEqual(8);
    for (const [, kind, label] of entries) {
      expect(findingLabel({ detector: "stream", payload: { kind } })).toBe(label);
    }
  });
});
