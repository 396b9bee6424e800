/**
 * @module
 * Every projection one batch needs, done once. The profile's k components (PC1 first, the
 * residual ADWIN on the rest of the space, the score cache) and the window's larger PCA
 * (`profile.featureWindow`, 128 components by default) come from one eigendecomposition of the
 * same rows, so the profile's components are the window's first ones (`sharesProjection`, checked
 * when the reference is loaded). Then a batch is projected on the window's components alone, the
 * profile's scores are its first k columns and both residuals share ‖x − μ‖²: one pass over the
 * 512-D vectors instead of three (PC1, the profile's components, the window's). Every number is
 * the one the separate projections give, bit for bit (each score is its own dot product in the
 * kernel, and the residual sums run in the same order); `project-batch.test.ts` checks it.
 *
 * A profile whose window does not share its components (another fit) is projected as before:
 * so is every embedder with more dimensions than the window's components, whose window PCA is
 * fitted on the MMD sample's people only (`calibrateFeatureWindow` says why).
 */
import { centredSquaredNorms, projectPca, residualOfScores } from "@facedrift/stats";
import type { StreamingReference } from "./reference.ts";

export interface ProjectedBatch {
  /** Scores on the profile's k components (n × k): PC1 is column 0; cached for the batch check. */
  componentScores: Float64Array;
  /** The PCA residual on the profile's components; null when the detectors compute it. */
  residual: Float64Array | null;
  /** Each row's random features for the window on PCA scores + residual; null when it computes them. */
  windowFeatures: Float64Array | null;
}

export function projectBatch(reference: StreamingReference, x: Float32Array, n: number): ProjectedBatch {
  const window = reference.mmdWindow;
  if (window?.space !== "pca-scores+residual" || !window.sharesProjection)
    return { componentScores: projectPca(reference.pca, x, n), residual: null, windowFeatures: null };
  const detector = window.detector;
  const wide = detector.profile.components;
  const k = reference.pca.nComponents;
  const windowScores = detector.project(x, n);
  const centred2 = centredSquaredNorms(reference.pca, x, n);
  const componentScores = new Float64Array(n * k);
  for (let i = 0; i < n; i++) componentScores.set(windowScores.subarray(i * wide, i * wide + k), i * k);
  return {
    componentScores,
    residual: reference.residualAdwin ? residualOfScores(centred2, windowScores, n, wide, k) : null,
    windowFeatures: detector.featuresOfProjected(windowScores, centred2, n),
  };
}
