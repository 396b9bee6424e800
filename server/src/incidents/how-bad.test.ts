import { describe, expect, it } from "vitest";
import { howBad } from "./how-bad.ts";

const finding = (detector: string, payload: Record<string, unknown>) => ({ detector, payload });

describe("howBad", () => {
  it("states each kind of evidence once, the strongest of each, with its unit", () => {
    expect(
      howBad([
        finding("stream", { kind: "pc1", numbers: { extra: { "PC1 shift (reference σ)": 0.42 } } }),
        finding("stream", { kind: "pc1", numbers: { extra: { "PC1 shift (reference σ)": -0.81 } } }),
        finding("stream", {
          kind: "mmd",
          numbers: { mmd2: 0.02, extra: { "MMD² / threshold": 2.31, "embeddings in the window": 500 } },
        }),
        finding("stream", {
          kind: "mmd",
          numbers: { mmd2: 0.01, extra: { "MMD² / threshold": 1.2, "embeddings in the window": 500 } },
        }),
        finding("batch", {
          numbers: {
            psi: [0.05, 0.31, 0.12],
            flaggedDimensions: [1, 2],
            mmd2: 0.1094,
            pValue: 0.000999000999000999,
            extra: { "kNN novelty rate": 0.0083 },
          },
        }),
        finding("batch", {
          numbers: { psi: [0.2, 0.01, 0.01], flaggedDimensions: [0], mmd2: 0.05, pValue: 0.012 },
        }),
        finding("verification", { numbers: { auc: 0.9612, extra: { "minimum AUC": 0.98 } } }),
        finding("stream", {
          kind: "quality",
          impact: { deltaAuc: 0.0213, error: 0.006 },
          numbers: {
            extra: {
              "faceSize shift (reference σ)": -1.42,
              "brightness shift (reference σ)": 0.6,
              "faceSize z": -9,
            },
          },
        }),
        finding("stream", { kind: "quality", numbers: { extra: { "faceSize shift (reference σ)": -0.7 } } }),
      ]),
    ).toEqual([
      "PC1 mean moved −0.81 σ of the reference (ADWIN)",
      "Face quality moved: faceSize −1.42 σ, brightness +0.60 σ of the reference",
      "2 streaming windows of 500 embeddings above the MMD² threshold (up to 2.3× it)",
      "Batch check (worst of 2): 2 of 3 components with PSI ≥ 0.1 (max 0.31 on PC2); MMD² 0.109, p < 0.001; kNN novelty 0.8 % of the window",
      "Verification AUC 0.9612 (minimum 0.98) on the labelled pairs",
      "Predicted verification AUC drop 0.021 ± 0.006",
    ]);
  });

  it("states the MMD windows' own size: a small reference's windows are smaller than 500", () => {
    const window = (rows: number | undefined, ratio: number) =>
      finding("stream", {
        kind: "mmd",
        numbers: {
          mmd2: 0.09,
          extra: {
            "MMD² / threshold": ratio,
            ...(rows === undefined ? {} : { "embeddings in the window": rows }),
          },
        },
      });
    expect(howBad([window(298, 9.1), window(298, 7.2)])).toEqual([
      "2 streaming windows of 298 embeddings above the MMD² threshold (up to 9.1× it)",
    ]);
    expect(howBad([window(250, 2), window(500, 3)])).toEqual([
      "2 streaming windows of 250–500 embeddings above the MMD² threshold (up to 3.0× it)",
    ]);
    expect(howBad([window(undefined, 2)])).toEqual([
      "1 streaming window above the MMD² threshold (up to 2.0× it)",
    ]);
  });

  it("states how many attempts found no face when faces were lost, the worst rate of the findings, and no batch check for an upload's", () => {
    expect(
      howBad([
        finding("stream", {
          kind: "faces-lost-stream",
          impact: { deltaAuc: 0.9755, error: 0.0034 },
          numbers: {
            extra: {
              "attempts (since the change)": 400,
              "failure-to-extract rate (since the change)": 1,
              "failure-to-extract rate (before)": 0.025,
            },
          },
        }),
        finding("batch", {
          kind: "faces-lost",
          numbers: {
            extra: { "failure-to-extract rate (batch)": 0.3, "failure-to-extract rate (before)": 0.02 },
          },
        }),
      ]),
    ).toEqual([
      "No face found in 100.0 % of the attempts since the change (before: 2.5 %)",
      "Predicted verification AUC drop 0.976 ± 0.003",
    ]);
  });

  it("says nothing it does not know", () => {
    expect(howBad([])).toEqual([]);
    expect(howBad([finding("stream", { kind: "residual", numbers: {} })])).toEqual([]);
  });
});
