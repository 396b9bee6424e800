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
  /**
   * The residual level carries the variance components the detail test needs (who or how
   * without quality signals); false: the profile predates it and the person test decides.
   */
  hasDetailTest: boolean;
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
          p.hasDetailTest
            ? `the quality window, which sees how faces are captured whoever they are (${p.qualitySkipped ?? BEFORE}); from the embeddings alone, a detail test calls a finding an input change when its faces lost identity detail, and anything else — a new population, or a change that keeps identity detail — a population change`
            : `the quality window, which sees how faces are captured whoever they are (${p.qualitySkipped ?? BEFORE}); a person test tells a few people seen over and over from an input change instead, but a new population looks like an input change to it (refit the reference for the detail test, which tells them apart)`,
        ]),
  ];
}
