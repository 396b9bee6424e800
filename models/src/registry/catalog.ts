/**
 * @module
 * The built-in models. Paths are inside each npm package; the weights stay in node_modules (or are
 * served from it) and are never copied into this repository. Hashes pin the exact bytes, so a
 * package update that changes a model fails verification instead of silently changing embeddings.
 *
 * Licences were read from each package's `LICENSE` and `package.json` (all three say MIT). The
 * weights' upstream terms are noted where the package names a source.
 */
import {
  FACE_API_LANDMARK68,
  FACE_API_RECOGNITION128,
  FACE_API_SSD_MOBILENET,
  FACE_API_TINY_DETECTOR,
} from "./packages/face-api.ts";
import {
  FACEPLUGIN_DETECT,
  FACEPLUGIN_DETECT_BATCHED,
  FACEPLUGIN_FEATURE512,
  FACEPLUGIN_LANDMARK68,
  FACEPLUGIN_LANDMARK68_BATCHED,
} from "./packages/faceplugin.ts";
import { HUMAN_BLAZEFACE, HUMAN_FACERES1024, HUMAN_MOBILEFACE256 } from "./packages/human.ts";
import type { ModelEntry } from "./types.ts";

export * from "./packages/face-api.ts";
export * from "./packages/faceplugin.ts";
export * from "./packages/human.ts";

/** Every built-in model, by id. */
export const CATALOG: Readonly<Record<string, ModelEntry>> = Object.fromEntries(
  [
    FACEPLUGIN_DETECT,
    FACEPLUGIN_LANDMARK68,
    FACEPLUGIN_FEATURE512,
    FACEPLUGIN_DETECT_BATCHED,
    FACEPLUGIN_LANDMARK68_BATCHED,
    FACE_API_RECOGNITION128,
    FACE_API_LANDMARK68,
    FACE_API_TINY_DETECTOR,
    FACE_API_SSD_MOBILENET,
    HUMAN_FACERES1024,
    HUMAN_MOBILEFACE256,
    HUMAN_BLAZEFACE,
  ].map((entry) => [entry.id, entry]),
);

/**
 * The models a pipeline uses unless told otherwise. The embedder was chosen from
 * `models/results/lfw-view1.md` (LFW View 1, 1,000 pairs, Node WASM): faceapi-recognition128 and
 * faceplugin-feature512 tie on AUC (0.9981 vs 0.9978, within one standard error of about 0.001;
 * EER 1.6 % vs 1.4 %) and both clear the 0.99 bar; face-api is 1.6× faster per face (median 76 vs
 * 122 ms on a shared 2-core machine), 4× smaller (128-D: cheaper drift statistics) and has the
 * clearer licence. faceres (0.9945) and mobileface (0.9854, but 21 ms) are below both.
 */
export const DEFAULT_MODELS = {
  detector: FACEPLUGIN_DETECT.id,
  landmarker: FACEPLUGIN_LANDMARK68.id,
  embedder: FACE_API_RECOGNITION128.id,
  /** The same two models with a symbolic batch dimension (derived entries), for batched runs. */
  batchedDetector: FACEPLUGIN_DETECT_BATCHED.id,
  batchedLandmarker: FACEPLUGIN_LANDMARK68_BATCHED.id,
} as const;

/**
 * Embedders the capture worker and the replica page can also run beside `DEFAULT_MODELS.embedder`
 * on the same face, for a stream's model transition (a candidate, or a promoted model): the
 * 512-D one that ties with the default on LFW above.
 */
export const ALTERNATE_EMBEDDERS: readonly string[] = [FACEPLUGIN_FEATURE512.id];
