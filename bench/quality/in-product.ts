/**
 * @module
 * The page's "In the product" section: which of this benchmark's recommendations the product
 * ships, and where in the code. Written by hand (it describes code, not measurements), kept here
 * so that regenerating the page keeps it.
 */
export const IN_PRODUCT_HEADING = "## In the product";

export const IN_PRODUCT: readonly string[] = [
  "The recommended configuration and the corrected defaults run in the product; a reference profile fitted before them keeps working and runs PC1 alone (the worker logs it once and `facedrift_streaming_detectors` shows 1).",
  "- **Reference profile** (`stats/src/detectors/reference-profile.ts`): besides PC1's ADWIN it calibrates ADWIN on the PCA residual (`stats/src/detectors/pca-residual.ts`, the residual feature of this page; δ replay-calibrated to 0.01 false alarms per 10,000 like PC1's) and the MMD window threshold at α = 0.004 for windows of 500 (`stats/src/detectors/mmd-window.ts`: 2,000 windows resampled from reference rows outside the MMD sample, threshold from a Pearson III fit to their mean, spread and skew rather than an empirical 99.6 % quantile of 8 windows). Both are optional fields of `facedrift.reference-profile/1`.",
  "- **Streaming worker** (`server/src/streaming/detectors.ts`, run by `process-batch.ts`): ADWIN on PC1 and on the residual per embedding, and MMD² of every 500 embeddings against the profile's 500-row MMD sample; detections are `drift_events` with signal `pc1`, `residual` or `mmd` and share the stream alerts' cooldown. The checkpoint (`facedrift.stream-state/2` in `stream_cursors.adwin_state`) keeps the open window as a count of rows behind the cursor, so a replay after a crash reads the same rows; a PC1-only checkpoint is upgraded in place.",
  "- **Batch check** (`stats/src/detectors/batch-check.ts`, used by `server/src/batch/run.ts`): MMD confirms above the profile's calibrated window threshold (α = 0.004) when the window compares as many rows as it was calibrated for, else by the permutation test at α = 0.004 instead of 0.05; PSI flags components only on windows of at least 500 embeddings, and a smaller window says so in `psi.note` instead of claiming a severity.",
  "- **kNN novelty threshold** (`stats/src/detectors/knn-threshold.ts`, called from `server/src/services/references/fit.ts`): the 99th percentile of each reference row's distance to the nearest stored vector of another person (metadata field `person`, or `identity_field`) or, when embeddings name no one, of another of 10 contiguous time blocks.",
  "This page's own figures (the seed rule, the shipped check at α = 0.05, the reference-only kNN threshold) still measure the rules as first shipped: `bench/quality/batch.ts` names their options explicitly.",
];
