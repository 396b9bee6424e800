/**
 * @module
 * The models the capture worker runs: the registry's defaults (detector, landmarker, one
 * embedder). The build ships exactly these files (`tooling/model-files.ts`), so changing the
 * choice here changes both what the worker loads and what goes offline with the app.
 */
import { CATALOG, DEFAULT_MODELS, type ModelEntry } from "@facedrift/models";

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

/** Every entry whose files the app must serve. */
export const CAPTURE_ENTRIES: readonly ModelEntry[] = Object.values(CAPTURE_MODELS);
