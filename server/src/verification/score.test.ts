import type { Face } from "@facedrift/models";
import { describe, expect, it } from "vitest";
import { FacedriftError } from "../errors.ts";
import type { ImageOutcome } from "./images.ts";
import { scorePairs } from "./score.ts";

const face = (x: number, y: number): Face => ({
  box: { x: 0, y: 0, width: 100, height: 100 },
  score: 0.99,
  landmarks: [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ],
  quality: { faceSize: 100, detectorScore: 0.99, blur: 10, brightness: 100 },
  embeddings: { e: new Float32Array([x, y]) },
  embeddingNorms: { e: 1 },
});
const ok = (name: string, x: number, y: number): [string, ImageOutcome] => [
  name,
  { name, faces: [face(x, y)], detected: 1 },
];
const outcomes = new Map<string, ImageOutcome>([
  ok("a1", 1, 0),
  ok("a2", 0.8, 0.6),
  ok("b1", 0, 1),
  ["c1", { name: "c1", failure: "no face" }],
  ["d1", { name: "d1", failure: "unreadable image", message: "bad JPEG" }],
]);

const withFailures = [
  { left: "a1", right: "a2", same: true }, // 0.8
  { left: "a1", right: "b1", same: false }, // 0
  { left: "a2", right: "b1", same: false }, // 0.6
  { left: "a1", right: "c1", same: true }, // a genuine pair that lost a face
  { left: "d1", right: "c1", same: false },
  { left: "x9", right: "a1", same: false },
];

describe("scorePairs", () => {
  it("counts a pair without two faces as a failed comparison by default: a lost genuine pair is a false rejection", () => {
    const result = scorePairs(withFailures, outcomes, "e");
    expect(result).toMatchObject({ scored: 6, genuine: 2, impostor: 4, skipped: [] });
    // Genuine 0.8 beats all 4 impostors; genuine −2 beats none and ties 2: (4 + 1) / 8.
    expect(result.auc).toBeCloseTo(5 / 8, 12);
    expect(result.failed.map((f) => f.reason)).toEqual([
      "right: no face",
      "left: unreadable image; right: no face",
      "left: missing image",
    ]);
  });

  it("with failures: skip, leaves pairs without two faces out, naming the side and the reason", () => {
    const result = scorePairs(
      [
        { left: "a1", right: "a2", same: true }, // 0.8
        { left: "a1", right: "b1", same: false }, // 0
        { left: "a2", right: "b1", same: false }, // 0.6
        { left: "a1", right: "c1", same: true },
        { left: "d1", right: "c1", same: false },
        { left: "x9", right: "a1", same: false },
      ],
      outcomes,
      "e",
      "skip",
    );
    expect(result).toMatchObject({ scored: 3, genuine: 1, impostor: 2, auc: 1, eer: 0, failed: [] });
    expect(result.skipped).toEqual([
      { left: "a1", right: "c1", reason: "right: no face" },
      { left: "d1", right: "c1", reason: "left: unreadable image; right: no face" },
      { left: "x9", right: "a1", reason: "left: missing image" },
    ]);
  });

  it("ties count ½ in the AUC", () => {
    const result = scorePairs(
      [
        { left: "a1", right: "b1", same: true }, // 0
        { left: "a1", right: "b1", same: false }, // 0
      ],
      outcomes,
      "e",
    );
    expect(result.auc).toBe(0.5);
  });

  it("refuses when the scored pairs lack a class, with the first skipped pair as the likely cause", () => {
    const attempt = () =>
      scorePairs(
        [
          { left: "a1", right: "c1", same: true },
          { left: "a1", right: "b1", same: false },
        ],
        outcomes,
        "e",
        "skip",
      );
    expect(attempt).toThrow(FacedriftError);
    expect(attempt).toThrow(/1 of 2 pairs could be scored .* no genuine .*a1 \/ c1: right: no face/);
  });
});
