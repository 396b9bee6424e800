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
 * Limits on the pipeline's signals. Size is the detector box side in source pixels (the embedder
 * upsamples smaller faces to 112 px); brightness is the mean grey of the aligned crop in [0, 255];
 * blur is the Laplacian variance of that crop (see `tooling/` for how the blur limit was chosen).
 */
export const HINT_LIMITS = {
  minFaceSize: 80,
  minBrightness: 50,
  maxBrightness: 205,
  minBlur: 60,
} as const;

export function qualityHints(quality: FaceQuality, limits = HINT_LIMITS): QualityHint[] {
  const hints: QualityHint[] = [];
  if (quality.faceSize < limits.minFaceSize) hints.push("too-small");
  if (quality.brightness < limits.minBrightness) hints.push("too-dark");
  if (quality.brightness > limits.maxBrightness) hints.push("too-bright");
  if (quality.blur < limits.minBlur) hints.push("blurry");
  return hints;
}
