/**
 * @module
 * The face pipeline as the server's jobs use it: the registry's default detector and landmarker
 * with one embedder (a catalogue id or a user manifest), on the Node adapter's WASM engines.
 * Loading takes seconds, so the stages are loaded once per process and embedder and shared by
 * every run; only the cheap `createFacePipeline` wrapper is built per run, with the run's face
 * policy.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  CATALOG,
  createFacePipeline,
  DEFAULT_MODELS,
  type Detector,
  type Embedder,
  type Face,
  type Landmarker,
  loadDetector,
  loadEmbedder,
  loadLandmarker,
  type ModelEntry,
  parseEmbedderManifest,
  qualityFor,
  type RgbaImage,
  selectCentral,
  selectLargest,
} from "@facedrift/models";
import { createNodeEngines, decodeImage, nodeFileSource } from "@facedrift/models/node";
import { FacedriftError } from "../errors.ts";
import { type FileFaces, UnreadableImage } from "./images.ts";

/**
 * Which detected faces go on to embedding. `central`: the one nearest the image centre (LFW's
 * convention for the subject; photos often hold bystanders). `largest`: the capture station's
 * choice. `single`: only images with exactly one face, others are skipped as "several faces".
 * `all`: every face (extraction).
 */
export type FacePolicy = "central" | "largest" | "single" | "all";
export const FACE_POLICIES: readonly FacePolicy[] = ["central", "largest", "single", "all"];

export interface FaceStages {
  detector: Detector;
  landmarker: Landmarker;
  embedder: Embedder;
  /** The embedder's registry entry: id, version, dimension. */
  entry: ModelEntry;
  runsOn: Readonly<Record<string, string>>;
}

/** A pipeline run that also reports how many faces the detector saw before the policy chose. */
export type ProcessFaces = (image: RgbaImage) => Promise<{ faces: Face[]; detected: number }>;

const loaded = new Map<string, Promise<FaceStages>>();

/** `model`: a catalogue embedder id, or a path to an embedder manifest (`.json`); default the registry's. */
export function loadFaceStages(model: string = DEFAULT_MODELS.embedder): Promise<FaceStages> {
  let stages = loaded.get(model);
  if (!stages) {
    stages = load(model);
    loaded.set(model, stages);
    // A failed load (bad manifest, checksum) must not stay cached.
    stages.catch(() => loaded.delete(model));
  }
  return stages;
}

async function load(model: string): Promise<FaceStages> {
  const { entry, userDir } = await resolveEmbedder(model);
  const context = { engines: await createNodeEngines(), source: nodeFileSource(userDir) };
  const detector = await loadDetector(context, CATALOG[DEFAULT_MODELS.detector] as ModelEntry);
  const landmarker = await loadLandmarker(context, CATALOG[DEFAULT_MODELS.landmarker] as ModelEntry);
  const embedder = await loadEmbedder(context, entry);
  const runsOn = Object.fromEntries([detector, landmarker, embedder].map((s) => [s.id, s.runsOn]));
  return { detector, landmarker, embedder, entry, runsOn };
}

async function resolveEmbedder(model: string): Promise<{ entry: ModelEntry; userDir?: string }> {
  if (model.endsWith(".json")) {
    const path = resolve(model);
    try {
      return {
        entry: parseEmbedderManifest(JSON.parse(await readFile(path, "utf8"))),
        userDir: dirname(path),
      };
    } catch (error) {
      // Unreadable file, bad JSON or a manifest field: all bad arguments, named in one line.
      throw new FacedriftError("invalid_request", `--model ${model}: ${(error as Error).message}`, {
        field: "model",
        cause: error,
      });
    }
  }
  const entry = CATALOG[model];
  if (entry?.role !== "embedder" || entry.notWired) {
    const known = Object.values(CATALOG)
      .filter((e) => e.role === "embedder" && !e.notWired)
      .map((e) => e.id);
    throw new FacedriftError(
      "invalid_request",
      `--model ${model} is not a wired embedder (one of ${known.join(", ")}, or a manifest .json)`,
      { field: "model" },
    );
  }
  return { entry };
}

/** The pipeline over loaded stages with one face policy. Not reentrant: process one image at a time. */
export function facePipeline(stages: FaceStages, policy: FacePolicy): ProcessFaces {
  let detected = 0;
  const pipeline = createFacePipeline({
    detector: stages.detector,
    landmarker: stages.landmarker,
    embedders: [stages.embedder],
    select: (detections, image) => {
      detected = detections.length;
      if (policy === "all") return detections;
      if (policy === "single") return detections.length === 1 ? detections : [];
      return (policy === "largest" ? selectLargest : selectCentral)(detections, image);
    },
  });
  return async (image) => {
    const { faces } = await pipeline.process(image);
    // One embedder: its output norm belongs with the face's other quality signals.
    return {
      faces: faces.map((face) => ({ ...face, quality: qualityFor(face, stages.embedder.id) })),
      detected,
    };
  };
}

/**
 * Where a run's faces come from: this process's pipeline (`nodeFaceSource`, the CLI) or a
 * replica's browser page (`replica/page-faces.ts`, the server's verification jobs). The model and
 * policy are recorded with the run.
 */
export interface FaceSource {
  model: { id: string; version: string; dimension: number };
  runsOn: Readonly<Record<string, string>>;
  /** Which face of an image is kept, e.g. `central`. */
  policy: string;
  fileFaces: FileFaces;
}

/** The Node pipeline over image files: decoded with sharp, then detect → align → embed. */
export async function nodeFaceSource(model: string | undefined, policy: FacePolicy): Promise<FaceSource> {
  const stages = await loadFaceStages(model);
  const faces = facePipeline(stages, policy);
  return {
    model: { id: stages.entry.id, version: stages.entry.version, dimension: stages.entry.output.dimension },
    runsOn: stages.runsOn,
    policy,
    fileFaces: async (path) => {
      let image: RgbaImage;
      try {
        image = await decodeImage(path);
      } catch (error) {
        throw new UnreadableImage((error as Error).message);
      }
      return faces(image);
    },
  };
}
