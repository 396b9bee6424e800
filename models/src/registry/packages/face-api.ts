/**
 * @module
 * Models of `@vladmandic/face-api` (face-api weight manifests). LICENSE and package.json say MIT.
 */
import { RGB_RAW_NHWC } from "../encodings.ts";
import { DLIB_150 } from "../templates.ts";
import type { ModelEntry } from "../types.ts";

const FACE_API = "@vladmandic/face-api";
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
