/**
 * @module
 * The compute worker's protocol: one request union and its results, with request ids
 * (`pool.ts` is the main-thread facade, `worker.ts` the worker). Everything crossing is plain
 * data or typed arrays; big arrays are transferred, not copied.
 */
import type {
  BatchCheckOptions,
  BatchCheckResult,
  ReferenceProfile,
  ReferenceProfileOptions,
  VerificationMetrics,
} from "@facedrift/stats";

/** A reference profile and its held-out kNN threshold (`services/references/fit.ts`). */
export interface FitTask {
  kind: "fit-reference";
  x: Float32Array;
  n: number;
  d: number;
  options: ReferenceProfileOptions;
  knn: { groups: Int32Array; stored: number[]; queries: number; seed: number };
}

export interface FitResult {
  profile: ReferenceProfile;
  knn: { threshold: number; queries: number } | null;
  /** The input matrix, handed back (it was transferred). */
  x: Float32Array;
}

/** A batch check on vectors or on cached component scores (`batch/run.ts`). */
export type BatchCheckTask =
  | {
      kind: "batch-check";
      profile: ReferenceProfile;
      x: Float32Array | Float64Array;
      n: number;
      options: BatchCheckOptions;
    }
  | {
      kind: "batch-check-scores";
      profile: ReferenceProfile;
      scores: Float64Array;
      n: number;
      /** The window's last rows, row-major. */
      recent: Float32Array | Float64Array;
      options: BatchCheckOptions;
    };

/** ROC AUC, EER and TAR@FAR of scored pairs (`verification/score.ts`). */
export interface VerificationTask {
  kind: "verification-metrics";
  scores: number[];
  labels: number[];
}

export type ComputeTask = FitTask | BatchCheckTask | VerificationTask;

export type ComputeResult<T extends ComputeTask> = T extends FitTask
  ? FitResult
  : T extends BatchCheckTask
    ? BatchCheckResult
    : VerificationMetrics;

export interface ComputeRequest {
  id: number;
  task: ComputeTask;
}

export type ComputeResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };
