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
      { signal: "faceSize", direction: "down", coefficient: 0.000019671875637943195 },
      { signal: "detectorScore", direction: "down", coefficient: 0.060159356754727986 },
      { signal: "blur", direction: "down", coefficient: 0.010721247647778681 },
      { signal: "contrast", direction: "down", coefficient: 0.0002270634712394907 },
      { signal: "clipped", direction: "up", coefficient: 0.005891404992271711 },
      { signal: "saturation", direction: "down", coefficient: 0.000045263803388357166 },
      { signal: "noise", direction: "up", coefficient: 0.0040720530784154815 },
    ],
    maxEffect: 8,
    hinge: 3,
    error: {
      rmse: 0.02370548122330058,
      maxAbs: 0.158244444449539,
      heldOut: "leave one shift family out (34 families)",
    },
    fittedOn: { conditions: 68, families: 34, ridge: 0.5 },
  },
  "faceplugin-feature512": {
    format: "facedrift.harm-model/1",
    model: "faceplugin-feature512",
    terms: [
      { signal: "faceSize", direction: "up", coefficient: 0.014868616493033138 },
      { signal: "detectorScore", direction: "down", coefficient: 0.05029731629162758 },
      { signal: "blur", direction: "down", coefficient: 0.016273613264148595 },
      { signal: "brightness", direction: "up", coefficient: 0.004162322069668263 },
      { signal: "contrast", direction: "down", coefficient: 0.0011679335092094453 },
      { signal: "clipped", direction: "up", coefficient: 0.0035997768487550747 },
      { signal: "noise", direction: "up", coefficient: 0.001653870811198414 },
      { signal: "embeddingNorm", direction: "down", coefficient: 0.00765521456642026 },
    ],
    maxEffect: 8,
    hinge: 2,
    error: {
      rmse: 0.030650729602779682,
      maxAbs: 0.20045058000479204,
      heldOut: "leave one shift family out (34 families)",
    },
    fittedOn: { conditions: 68, families: 34, ridge: 0.5 },
  },
};

/**
 * Harm models from the embeddings alone (the `embeddingResidual` term), for streams whose
 * reference carries no quality signals: an input finding there (the person test's verdict) is
 * priced by them. An embedder without one gets such findings rated `warning`.
 */
export const EMBEDDING_HARM_MODELS: Readonly<Record<string, HarmModel>> = {};
