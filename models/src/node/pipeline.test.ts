/**
 * The whole pipeline on real LFW photos, in Node on WASM: the same path the CLI takes. Four images
 * keep it to a few seconds; the full 1,000-pair evaluation lives in `scripts/evaluate.ts`.
 */
import { join, resolve } from "node:path";
import { qualityValueProblem } from "@facedrift/stats";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPipeline } from "../load.ts";
import { type Face, qualityFor } from "../pipeline/pipeline.ts";
import { cosineSimilarity } from "../pipeline/tensor.ts";
import { CATALOG } from "../registry/catalog.ts";
import { decodeImage } from "./decode.ts";
import { createNodeEngines } from "./engines.ts";
import { nodeFileSource } from "./files.ts";

const IMAGES = resolve(import.meta.dirname, "../../../../shared/data/faces/images");
// The first genuine and the second impostor pair of pairs.tsv. (The first impostor pair holds
// Zach_Safrin_0001, where a second, cut-off face at the top edge is also detected.)
const GENUINE = ["Abdullah_Gul/Abdullah_Gul_0013.jpg", "Abdullah_Gul/Abdullah_Gul_0014.jpg"] as const;
const IMPOSTOR = [
  "Aaron_Guiel/Aaron_Guiel_0001.jpg",
  "Reese_Witherspoon/Reese_Witherspoon_0003.jpg",
] as const;
const EMBEDDERS = [
  "faceplugin-feature512",
  "faceapi-recognition128",
  "human-faceres1024",
  "human-mobileface256",
] as const;

const entry = (id: string) => {
  const found = CATALOG[id];
  if (!found) throw new Error(`catalog lost ${id}`);
  return found;
};

describe("face pipeline on LFW (Node, WASM)", () => {
  const faces = new Map<string, Face[]>();
  let runsOn: Readonly<Record<string, string>> = {};

  beforeAll(async () => {
    const context = { engines: await createNodeEngines(), source: nodeFileSource() };
    const pipeline = await loadPipeline(context, { embedders: EMBEDDERS.map(entry) });
    runsOn = pipeline.runsOn;
    for (const name of [...GENUINE, ...IMPOSTOR]) {
      faces.set(name, (await pipeline.process(await decodeImage(join(IMAGES, name)))).faces);
    }
  }, 60_000);

  const only = (name: string): Face => {
    const found = faces.get(name) ?? [];
    expect(found, name).toHaveLength(1);
    return found[0] as Face;
  };

  it("reports where each model runs: WASM in Node, ONNX models on onnxruntime-web, the rest on tfjs", () => {
    expect(runsOn).toEqual({
      "faceplugin-detect": "onnxruntime-web/wasm",
      "faceplugin-landmark68": "onnxruntime-web/wasm",
      "faceplugin-feature512": "onnxruntime-web/wasm",
      "faceapi-recognition128": "tfjs/wasm",
      "human-faceres1024": "tfjs/wasm",
      "human-mobileface256": "tfjs/wasm",
    });
  });

  it("finds exactly one face per photo, centred, with plausible quality signals", () => {
    for (const name of [...GENUINE, ...IMPOSTOR]) {
      const face = only(name);
      expect(face.score).toBeGreaterThan(0.9);
      expect(face.quality.faceSize).toBeGreaterThan(60);
      expect(face.quality.blur).toBeGreaterThan(0);
      expect(face.quality.brightness).toBeGreaterThan(20);
      // Deep-funneled LFW puts the eyes near the centre of the 250×250 frame.
      const [leftEye, rightEye] = face.landmarks;
      expect(Math.abs((leftEye[0] + rightEye[0]) / 2 - 125)).toBeLessThan(25);
    }
  });

  it("records only quality values the ingest API accepts (QUALITY_SIGNAL_RANGES)", () => {
    for (const name of [...GENUINE, ...IMPOSTOR]) {
      for (const id of EMBEDDERS) {
        const quality: Record<string, unknown> = { ...qualityFor(only(name), id) };
        expect(Object.keys(quality)).toHaveLength(10);
        const problems = Object.entries(quality).flatMap(([k, v]) => qualityValueProblem(k, v) ?? []);
        expect(problems, `${name} ${id}`).toEqual([]);
      }
    }
  });

  it.each(EMBEDDERS)("%s: unit-norm embedding of the registry dimension", (id) => {
    for (const name of [...GENUINE, ...IMPOSTOR]) {
      const embedding = only(name).embeddings[id];
      expect(embedding).toHaveLength(entry(id).output.dimension);
      const norm = Math.hypot(...(embedding ?? []));
      expect(norm).toBeCloseTo(1, 5);
    }
  });

  it.each(EMBEDDERS)("%s: the genuine pair is more similar than the impostor pair", (id) => {
    const similarity = ([a, b]: readonly [string, string]) =>
      cosineSimilarity(only(a).embeddings[id] as Float32Array, only(b).embeddings[id] as Float32Array);
    expect(similarity(GENUINE)).toBeGreaterThan(similarity(IMPOSTOR));
  });
});
