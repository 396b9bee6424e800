/**
 * @module The drift statistics of Facedrift: pure functions and small state machines over typed
 * arrays. Nothing here does I/O, reads the clock or uses an unseeded RNG; hot loops run in the
 * `@facedrift/wasm-kernels` package (WASM SIMD, with TypeScript fallbacks).
 */
export {
  ADWIN_STATE_FORMAT,
  Adwin,
  type AdwinParams,
  type AdwinState,
  type AdwinSummary,
  DEFAULT_ADWIN_PARAMS,
  runAdwin,
  validateAdwinParams,
} from "./adwin.ts";
export {
  ADWIN_DELTA_GRID,
  type AdwinCalibration,
  type AdwinCalibrationOptions,
  calibrateAdwinDelta,
  replayFalseAlarms,
} from "./detectors/adwin-calibration.ts";
export {
  type BatchCheckOptions,
  type BatchCheckResult,
  type BatchSeverity,
  batchCheck,
  batchCheckScores,
  DEFAULT_MMD_ALPHA,
  mmdRows,
  PSI_MIN_ROWS,
  psiMinRowsFor,
} from "./detectors/batch-check.ts";
export {
  EXTRACTION_ALPHA,
  EXTRACTION_BASELINE_ATTEMPTS,
  EXTRACTION_BLOCK_ATTEMPTS,
  EXTRACTION_LONG_ATTEMPTS,
  type ExtractionBlock,
  type ExtractionFinding,
  type ExtractionReport,
  type ExtractionStreamState,
  emptyExtractionState,
  extractionStateFrom,
  stepExtraction,
} from "./detectors/extraction-stream.ts";
export {
  FACE_LOSS_ALPHA,
  FACE_LOSS_MIN_BEFORE,
  FACE_LOSS_MIN_NOW,
  type FaceLossCounts,
  type FaceLossResult,
  faceLossTest,
  fisherUpperTail,
} from "./detectors/face-loss.ts";
export {
  calibrateFeatureWindow,
  DEFAULT_WINDOW_FEATURES,
  FEATURE_WINDOW_FORMAT,
  FeatureMmdWindow,
  type FeatureWindowOptions,
  type FeatureWindowProfile,
  windowCoordinates,
} from "./detectors/feature-mmd-window.ts";
export {
  CRITICAL_DELTA_AUC,
  fitHarmModel,
  HARM_MODEL_FORMAT,
  type HarmEffects,
  type HarmFeatureName,
  type HarmModel,
  type HarmObservation,
  type HarmTerm,
  harmEffects,
  inputSeverity,
  nonNegativeRidge,
  predictHarm,
} from "./detectors/harm-model.ts";
export { EMBEDDING_HARM_MODELS, HARM_MODELS } from "./detectors/harm-models.ts";
export {
  DEFAULT_TIME_BLOCKS,
  type HeldOutKnnOptions,
  heldOutKnnThreshold,
  KNN_THRESHOLD_QUANTILE,
  labelGroups,
  timeBlocks,
} from "./detectors/knn-threshold.ts";
export {
  calibrateMmdWindow,
  DEFAULT_MMD_WINDOW_ALPHA,
  DEFAULT_MMD_WINDOW_SIZE,
  MmdWindow,
  type MmdWindowCalibration,
  type MmdWindowOptions,
  pearson3Threshold,
} from "./detectors/mmd-window.ts";
export {
  type AdwinDetection,
  feedAdwin,
  type Pc1Detection,
  type Pc1Projection,
  Pc1Stream,
} from "./detectors/pc1-stream.ts";
export { centredSquaredNorms, pcaResidual, residualOfScores } from "./detectors/pca-residual.ts";
export {
  checkPeople,
  PEOPLE_CHECK_ALPHA,
  type PeopleCheck,
  type PeopleReference,
  type PeopleStatistic,
} from "./detectors/people-check.ts";
export {
  BATCH_QUALITY_ALPHA,
  batchQualityTest,
  concentration,
  distinctRows,
  fitQualityProfile,
  leaderClusters,
  MIN_QUALITY_ROWS,
  QUALITY_PROFILE_FORMAT,
  QUALITY_SIGNAL_NAMES,
  QUALITY_SIGNAL_RANGES,
  QUALITY_SIGNALS,
  type QualityProfile,
  type QualityProfileOptions,
  type QualityRecord,
  type QualitySignalFit,
  type QualitySignalName,
  type QualitySignalRange,
  type QualityWindowResult,
  qualityValueProblem,
  qualityWindowTest,
  samePersonThreshold,
  signalValue,
  varianceComponents,
} from "./detectors/quality-window.ts";
export {
  fitReferenceProfile,
  REFERENCE_PROFILE_FORMAT,
  type ReferenceCalibration,
  type ReferenceProfile,
  type ReferenceProfileOptions,
  type ResidualAdwin,
} from "./detectors/reference-profile.ts";
export {
  DETAIL_TEST_ALPHA,
  type DetailTest,
  detailTest,
  fitResidualLevel,
  hasDetailFields,
  OFF_FACE_SPACE_EFFECT,
  type ResidualDirection,
  type ResidualLevel,
  residualDirectionOf,
  residualEffect,
} from "./detectors/residual-level.ts";
export { kolmogorovCdf, kolmogorovLimitSf, kolmogorovSf } from "./kolmogorov.ts";
export { type KsMethod, type KsOptions, type KsResult, ksTwoSample } from "./ks.ts";
export type { Matrix } from "./matrix-input.ts";
export {
  type MmdNullOptions,
  type MmdOptions,
  type MmdResult,
  medianPairwiseDistance,
  mmd,
  mmdNullDistribution,
} from "./mmd.ts";
export { type MmdTable, mmdTable, windowMmd2 } from "./mmd-table.ts";
export { benjaminiHochberg, bonferroni, rejected } from "./multiple-testing.ts";
export { fsum } from "./numeric/fsum.ts";
export { normalQuantile } from "./numeric/normal-quantile.ts";
export { quantileSorted } from "./numeric/quantile.ts";
export { type Rng, randomSubsetLabels, seededRng } from "./numeric/random.ts";
export {
  fitPca,
  PCA_FORMAT,
  type PcaModel,
  type PcaModelJson,
  type PcaOptions,
  pcaFromJson,
  pcaToJson,
  projectPca,
  transformPca,
  truncatePca,
} from "./pca.ts";
export { type PersonMmdOptions, type PersonMmdResult, personMmd } from "./person-mmd.ts";
export {
  fitPsiBins,
  PSI_EMPTY_PROPORTION,
  PSI_MAJOR,
  PSI_MODERATE,
  type PsiBinning,
  type PsiBins,
  type PsiResult,
  type PsiSeverity,
  psi,
  psiAgainst,
  psiFromCounts,
  psiSeverity,
} from "./psi.ts";
export {
  type SyntheticModel,
  type SyntheticShift,
  type SyntheticSpec,
  syntheticModel,
} from "./synthetic.ts";
export {
  equalErrorRate,
  type RocCurve,
  rocAuc,
  rocCurve,
  tarAtFar,
  type VerificationMetrics,
  verificationMetrics,
} from "./verification.ts";
