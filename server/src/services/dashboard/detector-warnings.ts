/**
 * @module
 * Which recommended detectors a reference cannot run, and why, in words a person reads on the
 * stream: nothing is skipped silently. The streaming worker logs the same lines once per reference
 * (`streaming/reference.ts`); the overview shows them on the stream (`stream-summaries.ts`).
 */

export interface ProfileCoverage {
  hasResidual: boolean;
  hasMmdWindow: boolean;
  /** The window on PCA scores and residual (false: the window runs on all dimensions); unknown when absent. */
  hasFeatureWindow?: boolean;
  hasQuality: boolean;
  mmdWindowSkipped: string | null;
  qualitySkipped: string | null;
}

const BEFORE = "fitted before it existed; refit the reference to add it";

/** One line per detector the reference cannot run; empty when it runs them all. */
export function detectorWarnings(p: ProfileCoverage): string[] {
  return [
    ...(p.hasResidual ? [] : [`the PCA-residual ADWIN (${BEFORE})`]),
    ...(p.hasMmdWindow ? [] : [`the MMD window (${p.mmdWindowSkipped ?? BEFORE})`]),
    ...(p.hasMmdWindow && p.hasFeatureWindow === false
      ? [
          `the MMD window on PCA scores and residual, so its window runs on all dimensions at about a sixth of the speed (${BEFORE})`,
        ]
      : []),
    ...(p.hasQuality
      ? []
      : [
          `the quality window, which sees how faces are captured whoever they are (${p.qualitySkipped ?? BEFORE}); a person test tells a few people seen over and over from an input change instead, but a new population looks like an input change to it`,
        ]),
  ];
}
