/**
 * @module
 * The models the capture worker runs: the registry's defaults (detector, landmarker, one
 * embedder). The build ships exactly these files (`tooling/model-files.ts`), so changing the
 * choice here changes both what the worker loads and what goes offline with the app.
 */
import { ALTERNATE_EMBEDDERS, CATALOG, DEFAULT_MODELS, type ModelEntry } from "@facedrift/models";

function entry(id: string): ModelEntry {
  const found = CATALOG[id];
  if (!found) throw new RangeError(`capture models: ${id} is not in the @facedrift/models catalog`);
  return found;
}

export const CAPTURE_MODELS = {
  detector: entry(DEFAULT_MODELS.detector),
  landmarker: entry(DEFAULT_MODELS.landmarker),
  embedder: entry(DEFAULT_MODELS.embedder),
} as const;

/**
 * The other embedders the worker can run on the same detected face, for a stream's model
 * transition (a candidate beside the current model, or a promoted one): the registry's
 * `ALTERNATE_EMBEDDERS`, which the server also reads to know what a replica can embed with.
 */
export const OTHER_EMBEDDERS: readonly ModelEntry[] = ALTERNATE_EMBEDDERS.map(entry);

/** The embedder of `model` if the worker can run it. */
export function runnableEmbedder(model: { id: string; version: string }): ModelEntry | undefined {
  return [CAPTURE_MODELS.embedder, ...OTHER_EMBEDDERS].find(
    (e) => e.id === model.id && e.version === model.version,
  );
}

/** Every entry whose files the app must serve. */
export const CAPTURE_ENTRIES: readonly ModelEntry[] = [...Object.values(CAPTURE_MODELS), ...OTHER_EMBEDDERS];
