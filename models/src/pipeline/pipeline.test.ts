import { describe, expect, it } from "vitest";
import { ARCFACE_112 } from "../registry/templates.ts";
import { createImage, type FivePoints } from "./image.ts";
import { createFacePipeline, type Face, qualityFor, selectCentral } from "./pipeline.ts";
import type { Detection, Detector, Embedder, Landmarker } from "./stages.ts";

/** Stages that need no model: the contract of the pipeline on its own. */
const detections: Detection[] = [
  { box: { x: 0, y: 0, width: 40, height: 40 }, score: 0.7 },
  { box: { x: 80, y: 80, width: 60, height: 60 }, score: 0.95 },
];
const detector: Detector = { id: "fake-detector", runsOn: "none", detect: async () => detections };
// Landmarks equal to the ArcFace template shifted by the box corner: the alignment is a pure shift.
const landmarker: Landmarker = {
  id: "fake-landmarker",
  runsOn: "none",
  locate: async (_image, face) =>
    ARCFACE_112.map(([x, y]) => [x + face.box.x, y + face.box.y]) as unknown as FivePoints,
};
const embedder: Embedder = {
  id: "fake-embedder",
  runsOn: "none",
  dimension: 2,
  crop: { width: 112, height: 112, template: ARCFACE_112 },
  // Reads the top-left pixel of the aligned crop, which must be the box corner of the source.
  embed: async (crop) => new Float32Array([crop.data[0] ?? 0, 1]),
};

/** A 256×256 image, red 200 from (80, 80) on, black elsewhere. */
function scene() {
  const image = createImage(256, 256);
  for (let y = 80; y < 256; y++) for (let x = 80; x < 256; x++) image.data[(y * 256 + x) * 4] = 200;
  return image;
}

describe("createFacePipeline", () => {
  it("runs every face through landmarks, alignment and each embedder", async () => {
    const pipeline = createFacePipeline({ detector, landmarker, embedders: [embedder] });
    const { faces } = await pipeline.process(scene());
    expect(faces).toHaveLength(2);
    // The raw output [200, 1] is normalised, and its norm kept.
    expect(faces[1]?.embeddingNorms["fake-embedder"]).toBeCloseTo(Math.hypot(200, 1), 4);
    expect(faces[1]?.embeddings["fake-embedder"]?.[0]).toBeCloseTo(200 / Math.hypot(200, 1), 6);
    expect(faces[0]?.embeddings["fake-embedder"]?.[0]).toBe(0);
    expect(faces[1]?.quality).toMatchObject({ faceSize: 60, detectorScore: 0.95 });
    // Landmarks on the template exactly: no alignment error; the crop is all red 200 (chroma 200).
    expect(faces[1]?.quality.alignmentError).toBeCloseTo(0, 9);
    expect(faces[1]?.quality.saturation).toBeCloseTo(200, 6);
    expect(qualityFor(faces[1] as Face, "fake-embedder").embeddingNorm).toBeCloseTo(Math.hypot(200, 1), 4);
  });

  it("applies the selector before the expensive stages and times each stage with the given clock", async () => {
    let tick = 0;
    const pipeline = createFacePipeline({
      detector,
      landmarker,
      embedders: [embedder],
      select: selectCentral,
      now: () => tick++,
    });
    const { faces, timings } = await pipeline.process(scene());
    expect(faces.map((f) => f.score)).toEqual([0.95]);
    // Each stage spans exactly one tick of the fake clock.
    expect(timings).toEqual({
      detect: 1,
      landmarks: 1,
      quality: 1,
      align: { "fake-embedder": 1 },
      embed: { "fake-embedder": 1 },
    });
  });
});
