/**
 * @module
 * What a verification run reports: the service returns it, the CLI prints it (`toSummaryJson`,
 * snake_case like `facedrift stats auc`), and its numbers are what the stored row holds.
 */
import type { VerificationMetrics } from "@facedrift/stats";
import type { FailurePolicy, SkippedPair } from "./score.ts";

/** The AUC below which a run raises a `verification` alert, unless configured. */
export const DEFAULT_MIN_AUC = 0.98;

export interface VerificationSummary {
  /** The `verification_runs` id, when stored. */
  runId: number | null;
  model: { id: string; version: string; dimension: number };
  /** `failed`: pairs counted as failed comparisons (an image gave no face); `skipped`: left out. */
  pairs: {
    total: number;
    scored: number;
    genuine: number;
    impostor: number;
    skipped: number;
    failed: number;
  };
  /** How pairs with an image that gave no face were treated (`count`: as failed comparisons). */
  failures: FailurePolicy;
  /** Share of the run's images that gave no face (failure to extract), beside AUC/EER/TAR. */
  failureToExtractRate: number;
  auc: number;
  eer: number;
  tarAtFar: VerificationMetrics["tarAtFar"];
  minAuc: number;
  belowMinAuc: boolean;
  /** Set when the AUC is below the minimum: the alert row, or why there is none. */
  alert: {
    id: number | null;
    /**
     * True when it notified channels (it opened or escalated the stream's incident); false when it
     * attached to an incident they had already heard of at this severity, or was not stored.
     */
    sent: boolean;
    note?: string;
    delivery?: { delivered: number; failed: number };
  } | null;
  skipped: SkippedPair[];
  images: {
    total: number;
    /** Images that gave a face under the face policy. */
    embedded: number;
    /** Images where the detector saw several faces (`central` used the central one, `single` skipped them). */
    severalFaces: number;
    /** Images that gave no face, by reason. */
    failed: Record<string, number>;
  };
  facePolicy: string;
  runsOn: Readonly<Record<string, string>>;
  timingMs: { load: number; embed: number; perImage: number; total: number };
}

/** The printed form. */
export function toSummaryJson(summary: VerificationSummary) {
  return {
    run_id: summary.runId,
    model: summary.model,
    auc: summary.auc,
    eer: summary.eer,
    tar_at_far: summary.tarAtFar,
    min_auc: summary.minAuc,
    below_min_auc: summary.belowMinAuc,
    alert: summary.alert,
    pairs: summary.pairs,
    failures: summary.failures,
    failure_to_extract_rate: summary.failureToExtractRate,
    skipped: summary.skipped,
    images: {
      total: summary.images.total,
      embedded: summary.images.embedded,
      several_faces: summary.images.severalFaces,
      failed: summary.images.failed,
    },
    face_policy: summary.facePolicy,
    runs_on: summary.runsOn,
    timing_ms: {
      load: summary.timingMs.load,
      embed: summary.timingMs.embed,
      per_image: summary.timingMs.perImage,
      total: summary.timingMs.total,
    },
  };
}
