/**
 * @module
 * Turns registry entries into ready stages: fetch through the host's file source, verify the
 * SHA-256, hand the bytes to the engine for the entry's format, and (for embedders) check the
 * loaded model against its entry. Host-agnostic: the host only supplies engines and a file source.
 */
import { checkEmbedderSession } from "./engine/check.ts";
import { type Engine, engineFor, type ModelSession } from "./engine/types.ts";
import { ModelError } from "./errors.ts";
import { createFacepluginDetector } from "./faceplugin/detector.ts";
import { createFacepluginLandmarker } from "./faceplugin/landmarker.ts";
import { createEmbedder } from "./pipeline/embedder.ts";
import { createFacePipeline, type FacePipeline, type FaceSelector } from "./pipeline/pipeline.ts";
import type { Detector, Embedder, Landmarker } from "./pipeline/stages.ts";
import {
  CATALOG,
  DEFAULT_MODELS,
  FACEPLUGIN_DETECT,
  FACEPLUGIN_DETECT_BATCHED,
  FACEPLUGIN_LANDMARK68,
  FACEPLUGIN_LANDMARK68_BATCHED,
} from "./registry/catalog.ts";
import type { ModelEntry } from "./registry/types.ts";
import { type FileSource, loadVerifiedFiles } from "./registry/verify.ts";

/** What every loader needs from the host. */
export interface LoadContext {
  readonly engines: readonly Engine[];
  readonly source: FileSource;
}

/** Loads one entry into a session on the engine that runs its format. */
export async function loadSession(context: LoadContext, entry: ModelEntry): Promise<ModelSession> {
  const files = await loadVerifiedFiles(entry, context.source);
  return engineFor(context.engines, entry).load(entry, files);
}

/**
 * Which code decodes each detector's and landmarker's outputs, by entry id. Embedders need no
 * such table: one generic embedder reads everything it needs from the entry.
 */
const DETECTORS: Readonly<Record<string, (session: ModelSession) => Detector>> = {
  [FACEPLUGIN_DETECT.id]: (session) => createFacepluginDetector(session),
  [FACEPLUGIN_DETECT_BATCHED.id]: (session) => createFacepluginDetector(session),
};
const LANDMARKERS: Readonly<Record<string, (session: ModelSession) => Landmarker>> = {
  [FACEPLUGIN_LANDMARK68.id]: createFacepluginLandmarker,
  [FACEPLUGIN_LANDMARK68_BATCHED.id]: createFacepluginLandmarker,
};

/** Loads a detector entry that has a decoder in {@link DETECTORS}. */
export async function loadDetector(context: LoadContext, entry: ModelEntry): Promise<Detector> {
  const create = DETECTORS[entry.id];
  if (!create) throw notWired(entry);
  return create(await loadSession(context, entry));
}

/** Loads a landmarker entry that has a decoder in {@link LANDMARKERS}. */
export async function loadLandmarker(context: LoadContext, entry: ModelEntry): Promise<Landmarker> {
  const create = LANDMARKERS[entry.id];
  if (!create) throw notWired(entry);
  return create(await loadSession(context, entry));
}

/** Loads an embedder entry (built-in or user manifest) and checks its shapes before returning it. */
export async function loadEmbedder(context: LoadContext, entry: ModelEntry): Promise<Embedder> {
  if (entry.role !== "embedder" || entry.notWired) throw notWired(entry);
  const session = await loadSession(context, entry);
  await checkEmbedderSession(session);
  return createEmbedder(session);
}

function notWired(entry: ModelEntry): ModelError {
  const why = entry.notWired ?? `no ${entry.role} stage decodes ${entry.id}`;
  return new ModelError("unsupported-format", `${entry.id}: ${why}`);
}

/** Options for {@link loadPipeline}. */
export interface PipelineChoice {
  /** Embedder entries; defaults to the registry default. */
  readonly embedders?: readonly ModelEntry[];
  /**
   * The detector's and landmarker's entries derived with a symbolic batch dimension instead of
   * the shipped ones, for `processBatch` (same weights, same per-image results).
   */
  readonly batched?: boolean;
  readonly select?: FaceSelector;
}

/** Loads the default detector and landmarker with the chosen (or default) embedders into a pipeline. */
export async function loadPipeline(context: LoadContext, choice: PipelineChoice = {}): Promise<FacePipeline> {
  const embedders = choice.embedders ?? [CATALOG[DEFAULT_MODELS.embedder] as ModelEntry];
  return createFacePipeline({
    detector: await loadDetector(
      context,
      CATALOG[choice.batched ? DEFAULT_MODELS.batchedDetector : DEFAULT_MODELS.detector] as ModelEntry,
    ),
    landmarker: await loadLandmarker(
      context,
      CATALOG[choice.batched ? DEFAULT_MODELS.batchedLandmarker : DEFAULT_MODELS.landmarker] as ModelEntry,
    ),
    embedders: await Promise.all(embedders.map((entry) => loadEmbedder(context, entry))),
    ...(choice.select ? { select: choice.select } : {}),
  });
}
