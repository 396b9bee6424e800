/**
 * @module
 * Models of `faceplugin-face-recognition-js` (ONNX). LICENSE and package.json say MIT.
 */
import { RGB_127_128 } from "../encodings.ts";
import { ARCFACE_112 } from "../templates.ts";
import type { ModelEntry } from "../types.ts";

const FACEPLUGIN = "faceplugin-face-recognition-js";
const FACEPLUGIN_LICENCE = {
  package: "MIT",
  weights:
    "Shipped in the MIT-licensed npm package (LICENSE: 'Copyright (c) 2021 gitguanqi'); no separate weights licence. " +
    "The README advertises a commercial SDK ('contact us for a better model'): treat provenance as unverified.",
};

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

const BATCHED = (source: ModelEntry, sha256: string): ModelEntry => ({
  ...source,
  id: `${source.id}-batched`,
  files: [{ path: source.files[0]?.path ?? "", sha256 }],
  derived: {
    from: source.id,
    sourceSha256: source.files[0]?.sha256 ?? "",
    derivation: "symbolic-batch",
    provenance:
      `derived from ${source.id}@${source.version} (${FACEPLUGIN}/${source.files[0]?.path}) by ` +
      "models/src/registry/derive.ts: dimension 0 of every graph input and output set to the symbolic 'N', " +
      "nodes and weights byte for byte the shipped ones (models/scripts/derive-models.ts prints the hash)",
  },
  licence: {
    ...FACEPLUGIN_LICENCE,
    weights: `${FACEPLUGIN_LICENCE.weights} A derived copy of the shipped file: the same terms apply.`,
  },
});

/** {@link FACEPLUGIN_DETECT} taking a batch of images (`N`×3×240×320); per image the same outputs. */
export const FACEPLUGIN_DETECT_BATCHED: ModelEntry = BATCHED(
  FACEPLUGIN_DETECT,
  "8c28360d8b93582d5dd578b1cbb1661910302983bc3a87908764e53e9668d587",
);

/** {@link FACEPLUGIN_LANDMARK68} taking a batch of face crops (`N`×1×64×64). */
export const FACEPLUGIN_LANDMARK68_BATCHED: ModelEntry = BATCHED(
  FACEPLUGIN_LANDMARK68,
  "3f3d593bf3e42e61d53df5314bccc41c0567d8fc6b863b5543a85968e122903c",
);
