/**
 * @module
 * Quality hints shown over the video. They are advice to the person in front of the camera; the
 * face is still sent, with the signals and hints in its metadata, because quality shifts are
 * exactly the kind of drift Facedrift watches for.
 */
import type { FaceQuality } from "@facedrift/models";

export type QualityHint = "too-small" | "too-dark" | "too-bright" | "blurry";

export const HINT_TEXT: Record<QualityHint, string> = {
  "too-small": "Move closer",
  "too-dark": "Too dark: add light",
  "too-bright": "Too bright: avoid backlight",
  blurry: "Blurry: hold still",
};

/**
 * Limits on the pipeline's signals. Size is the detector box side in source pixels (smaller faces
 * are upsampled for the embedder); brightness is the mean grey of the aligned crop in [0, 255];
 * blur is the Laplacian variance of that crop. Chosen with `tooling/calibrate-hints.ts` on 100
 * LFW faces at ~186 px (5th / 50th / 95th percentiles): blur 54 / 144 / 401 as they are,
 * 25 / 60 / 127 after a σ=2 Gaussian blur, 7 / 15 / 30 after σ=4; brightness 76 / 110 / 150 as
 * they are, 23 / 33 / 45 at ×0.3 exposure, 126 / 181 / 219 at ×1.8. Each limit flags fewer than
 * 5 % of the unaltered faces.
 */
export const HINT_LIMITS = {
  minFaceSize: 80,
  minBrightness: 50,
  maxBrightness: 190,
  minBlur: 40,
} as const;

export function qualityHints(quality: FaceQuality, limits = HINT_LIMITS): QualityHint[] {
  const hints: QualityHint[] = [];
  if (quality.faceSize < limits.minFaceSize) hints.push("too-small");
  if (quality.brightness < limits.minBrightness) hints.push("too-dark");
  if (quality.brightness > limits.maxBrightness) hints.push("too-bright");
  if (quality.blur < limits.minBlur) hints.push("blurry");
  return hints;
}
