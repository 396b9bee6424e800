/**
 * @module
 * The harm models shipped with Facedrift, one per built-in embedder, written by
 * `npm run bench:who-how` (bench/quality/who-how/) from its measurements — do not edit by hand.
 * An embedder without one gets input findings rated `warning` with no predicted cost.
 */
import type { HarmModel } from "./harm-model.ts";

export const HARM_MODELS: Readonly<Record<string, HarmModel>> = {
  "faceapi-recognition128": {
    format: "facedrift.harm-model/1",
    model: "faceapi-recognition128",
    terms: [
      { signal: "faceSize", direction: "up", coefficient: 0.005674979369942943 },
      { signal: "detectorScore", direction: "up", coefficient: 0.000010253838111685767 },
      { signal: "detectorScore", direction: "down", coefficient: 0.026038550594246437 },
      { signal: "embeddingResidual", direction: "down", coefficient: 0.050119507143169026 },
    ],
    maxEffect: 8,
    hinge: 0,
    embeddingHinge: 0.5,
    error: {
      rmse: 0.03737335448310197,
      maxAbs: 0.2607593484206946,
      heldOut: "leave one shift family out (34 families)",
    },
    fittedOn: { conditions: 68, families: 34, ridge: 0.5 },
  },
  "faceplugin-feature512": {
    format: "facedrift.harm-model/1",
    model: "faceplugin-feature512",
    terms: [
      { signal: "faceSize", direction: "up", coefficient: 0.012943291174004796 },
      { signal: "detectorScore", direction: "down", coefficient: 0.02827240952528087 },
      { signal: "alignmentError", direction: "up", coefficient: 0.003675735274369813 },
      { signal: "embeddingResidual", direction: "up", coefficient: 0.09927220131972785 },
    ],
    maxEffect: 8,
    hinge: 0,
    embeddingHinge: 0.2,
    error: {
      rmse: 0.04650483633865749,
      maxAbs: 0.3027126293010024,
      heldOut: "leave one shift family out (34 families)",
    },
    fittedOn: { conditions: 68, families: 34, ridge: 0.5 },
  },
};

/**
 * Harm models from the embeddings alone (the `embeddingResidual` term), for streams whose
 * reference carries no quality signals: an input finding there (the detail test's verdict) is
 * priced by them. An embedder without one gets such findings rated `warning`.
 */
export const EMBEDDING_HARM_MODELS: Readonly<Record<string, HarmModel>> = {
  "faceapi-recognition128": {
    format: "facedrift.harm-model/1",
    model: "faceapi-recognition128",
    terms: [{ signal: "embeddingResidual", direction: "down", coefficient: 0.1437808556236919 }],
    maxEffect: 8,
    hinge: 0,
    embeddingHinge: 0.1,
    error: {
      rmse: 0.0444635293922652,
      maxAbs: 0.3225905566533159,
      heldOut: "leave one shift family out (34 families)",
    },
    fittedOn: { conditions: 68, families: 34, ridge: 0.5 },
  },
  "faceplugin-feature512": {
    format: "facedrift.harm-model/1",
    model: "faceplugin-feature512",
    terms: [{ signal: "embeddingResidual", direction: "up", coefficient: 0.3416753532444879 }],
    maxEffect: 8,
    hinge: 0,
    embeddingHinge: 0.2,
    error: {
      rmse: 0.05830212164749633,
      maxAbs: 0.4083879848735443,
      heldOut: "leave one shift family out (34 families)",
    },
    fittedOn: { conditions: 68, families: 34, ridge: 0.5 },
  },
};
