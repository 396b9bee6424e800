/**
 * @module
 * The verification job and embedding extraction over the face pipeline (`@facedrift/models`).
 */
export { DEFAULT_VERIFICATION_COOLDOWN_MS } from "./alert.ts";
export { type ExtractInput, type ExtractRecord, extractEmbeddings } from "./extract.ts";
export { type ImageFailure, listImages, type Progress } from "./images.ts";
export { FACE_POLICIES, type FacePolicy, loadFaceStages } from "./pipeline.ts";
export { DEFAULT_MIN_AUC, runVerification, type VerificationInput } from "./run.ts";
export { listVerificationRuns, type VerificationRunView } from "./runs.ts";
export { type SkippedPair, scorePairs } from "./score.ts";
export { toSummaryJson, type VerificationSummary } from "./summary.ts";
