/**
 * @module
 * Every fixed choice of the benchmark in one place, recorded in the report: the seed of every
 * random choice, the split, the models and what each one is extracted for.
 */
import type { Feature } from "./features.ts";
import { IMAGE_SHIFTS, type Shift } from "./shifts.ts";

/** The one seed; every other seed is derived from it and printed in the report. */
export const SEED = 20261126;
/** Share of people held out of the reference (the "production" population). */
export const HELD_OUT_SHARE = 0.4;
export const DEFAULT_MODEL = "faceapi-recognition128";
export const ALT_MODEL = "human-faceres1024";
/** The 1024-D model costs ~3× per face, so it gets the clean set and these shifts only (the CPU budget). */
export const ALT_MODEL_SHIFTS: readonly string[] = [
  "originals",
  "blur-strong",
  "jpeg-strong",
  "occlusion-strong",
];

export function altShifts(): Shift[] {
  return IMAGE_SHIFTS.filter((s) => ALT_MODEL_SHIFTS.includes(s.id));
}

/**
 * The streaming detectors Facedrift recommends, chosen from the results (docs/detection-quality.md):
 * PC1 is the only statistic that moves under a population shift, the PCA residual is the fastest
 * on image-quality shifts (blur, JPEG, contrast); the nearest-reference distance is blunted by
 * same-person photos in the reference. Each one's δ is calibrated to an equal share of the budget.
 */
export const RECOMMENDED_STREAMING: readonly Feature[] = ["pc1", "residual"];
