/**
 * Batched runs against one image at a time (issue 15 item 3), in Node on WASM: the derived
 * detector and landmarker (a symbolic batch dimension, `registry/derive.ts`) and face-api's
 * embedder run LFW photos in batches of 4 (detector over images, landmarker and embedder over all
 * their faces) and must give each photo the same faces as the shipped models one photo at a time.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDetector, loadEmbedder, loadLandmarker, loadPipeline } from "../load.ts";
import type { RgbaImage } from "../pipeline/image.ts";
import type { Face, FacePipeline } from "../pipeline/pipeline.ts";
import { cosineSimilarity } from "../pipeline/tensor.ts";
import { CATALOG, DEFAULT_MODELS } from "../registry/catalog.ts";
import { decodeImage } from "./decode.ts";
import { createNodeEngines } from "./engines.ts";
import { nodeFileSource } from "./files.ts";

const IMAGES = resolve(import.meta.dirname, "../../../../shared/data/faces/images");
/** Ten people's first photos; Abid_Hamid_Mahmud_Al-Tikriti's shows a second face, so batches mix counts. */
const PHOTOS = readdirSync(IMAGES)
  .slice(0, 10)
  .map((person) => join(person, readdirSync(join(IMAGES, person))[0] as string));
const BATCH = 4;

describe("batched pipeline (derived models, Node WASM) against one image at a time", () => {
  const context = { engines: [] as Awaited<ReturnType<typeof createNodeEngines>>, source: nodeFileSource() };
  let images: RgbaImage[];
  let single: FacePipeline;
  let batched: FacePipeline;

  beforeAll(async () => {
    context.engines = await createNodeEngines();
    images = await Promise.all(PHOTOS.map((path) => decodeImage(join(IMAGES, path))));
    single = await loadPipeline(context);
    batched = await loadPipeline(context, { batched: true });
  }, 120_000);

  it("runs the derived entries, whose stages take batches", async () => {
    expect(Object.keys(batched.runsOn)).toEqual([
      "faceplugin-detect-batched",
      "faceplugin-landmark68-batched",
      DEFAULT_MODELS.embedder,
    ]);
    const entry = (id: string) => CATALOG[id] as NonNullable<(typeof CATALOG)[string]>;
    expect((await loadDetector(context, entry(DEFAULT_MODELS.batchedDetector))).detectBatch).toBeTypeOf(
      "function",
    );
    expect((await loadLandmarker(context, entry(DEFAULT_MODELS.batchedLandmarker))).locateBatch).toBeTypeOf(
      "function",
    );
    expect((await loadEmbedder(context, entry(DEFAULT_MODELS.embedder))).embedBatch).toBeTypeOf("function");
    // The shipped files have batch 1: their stages run one item at a time.
    expect((await loadDetector(context, entry(DEFAULT_MODELS.detector))).detectBatch).toBeUndefined();
  });

  it("gives every photo the faces it gets alone", async () => {
    const { faces } = await batched.processBatch(images, BATCH);
    expect(faces).toHaveLength(images.length);
    let total = 0;
    for (const [i, image] of images.entries()) {
      const alone: Face[] = (await single.process(image)).faces;
      const together = faces[i] as Face[];
      expect(together.length, PHOTOS[i]).toBe(alone.length);
      total += alone.length;
      alone.forEach((face, k) => {
        const other = together[k] as Face;
        for (const key of ["x", "y", "width", "height"] as const)
          expect(Math.abs(other.box[key] - face.box[key])).toBeLessThanOrEqual(1e-4);
        other.landmarks.forEach((point, p) => {
          expect(Math.abs(point[0] - (face.landmarks[p] as [number, number])[0])).toBeLessThanOrEqual(1e-4);
          expect(Math.abs(point[1] - (face.landmarks[p] as [number, number])[1])).toBeLessThanOrEqual(1e-4);
        });
        const a = face.embeddings[DEFAULT_MODELS.embedder] as Float32Array;
        const b = other.embeddings[DEFAULT_MODELS.embedder] as Float32Array;
        expect(cosineSimilarity(a, b)).toBeGreaterThanOrEqual(0.99999);
        expect(other.quality.blur).toBeCloseTo(face.quality.blur, 3);
      });
    }
    // More faces than photos: the landmarker's and embedder's batches cross photo boundaries.
    expect(total).toBeGreaterThan(images.length);
  }, 120_000);
});
