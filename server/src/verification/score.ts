/**
 * @module
 * From per-image outcomes to verification metrics: cosine similarity of the two faces of every
 * pair whose images both gave one, then ROC AUC, EER and TAR@FAR (`verificationMetrics` of
 * @facedrift/stats).
 *
 * A pair with an image that gave no face is, by default, a failed comparison: it gets the lowest
 * score (below any cosine similarity), so a genuine pair counts as a false rejection and an
 * impostor pair as a correct one — FRVT-style reporting, which charges failures to extract to the
 * system (a camera that loses faces is not better for it). `failures: "skip"` keeps the old
 * behaviour: such pairs are left out, listed with the reason, and the AUC is the model's on the
 * pairs it could see.
 */
import { cosineSimilarity, type Pair } from "@facedrift/models";
import { type VerificationMetrics, verificationMetrics } from "@facedrift/stats";
import { compute } from "../compute/pool.ts";
import { FacedriftError } from "../errors.ts";
import type { ImageOutcome } from "./images.ts";

export interface SkippedPair {
  left: string;
  right: string;
  /** E.g. "right: no face", or "left: unreadable image; right: no face". */
  reason: string;
}

export interface PairScores extends VerificationMetrics {
  /** Pairs scored (genuine + impostor), failed comparisons included. */
  scored: number;
  /** Pairs left out (`failures: "skip"`). */
  skipped: SkippedPair[];
  /** Pairs counted as failed comparisons (`failures: "count"`, the default). */
  failed: SkippedPair[];
}

/** How pairs with an image that gave no face are treated; see the module comment. */
export type FailurePolicy = "count" | "skip";

/** The score of a failed comparison: below every cosine similarity. */
export const FAILED_COMPARISON_SCORE = -2;

function collectScores(
  pairs: readonly Pair[],
  outcomes: ReadonlyMap<string, ImageOutcome>,
  embedderId: string,
  failures: FailurePolicy,
): { scores: number[]; labels: number[]; skipped: SkippedPair[]; failed: SkippedPair[] } {
  const scores: number[] = [];
  const labels: number[] = [];
  const skipped: SkippedPair[] = [];
  const failed: SkippedPair[] = [];
  for (const pair of pairs) {
    const left = embeddingOf(outcomes.get(pair.left), embedderId);
    const right = embeddingOf(outcomes.get(pair.right), embedderId);
    if (left instanceof Float32Array && right instanceof Float32Array) {
      scores.push(cosineSimilarity(left, right));
      labels.push(pair.same ? 1 : 0);
      continue;
    }
    const reasons = [
      ...(typeof left === "string" ? [`left: ${left}`] : []),
      ...(typeof right === "string" ? [`right: ${right}`] : []),
    ];
    const entry = { left: pair.left, right: pair.right, reason: reasons.join("; ") };
    if (failures === "skip") {
      skipped.push(entry);
      continue;
    }
    failed.push(entry);
    scores.push(FAILED_COMPARISON_SCORE);
    labels.push(pair.same ? 1 : 0);
  }
  const genuine = labels.filter((label) => label === 1).length;
  if (genuine === 0 || genuine === labels.length) {
    throw new FacedriftError(
      "invalid_request",
      `${labels.length} of ${pairs.length} pairs could be scored and they hold no ` +
        `${genuine === 0 ? "genuine (same = 1)" : "impostor (same = 0)"} pair: AUC needs both` +
        (skipped.length
          ? ` (first skipped: ${skipped[0]?.left} / ${skipped[0]?.right}: ${skipped[0]?.reason})`
          : ""),
      { field: "pairs" },
    );
  }
  return { scores, labels, skipped, failed };
}

export function scorePairs(
  pairs: readonly Pair[],
  outcomes: ReadonlyMap<string, ImageOutcome>,
  embedderId: string,
  failures: FailurePolicy = "count",
): PairScores {
  const { scores, labels, skipped, failed } = collectScores(pairs, outcomes, embedderId, failures);
  return { ...verificationMetrics(scores, labels), scored: labels.length, skipped, failed };
}

/** {@link scorePairs} with the metrics computed by a compute worker (`compute/pool.ts`). */
export async function scorePairsOffThread(
  pairs: readonly Pair[],
  outcomes: ReadonlyMap<string, ImageOutcome>,
  embedderId: string,
  failures: FailurePolicy = "count",
): Promise<PairScores> {
  const { scores, labels, skipped, failed } = collectScores(pairs, outcomes, embedderId, failures);
  const metrics = await compute({ kind: "verification-metrics", scores, labels });
  return { ...metrics, scored: labels.length, skipped, failed };
}

/** The face's embedding, or why there is none. */
function embeddingOf(outcome: ImageOutcome | undefined, embedderId: string): Float32Array | string {
  if (!outcome) return "missing image";
  if ("failure" in outcome) return outcome.failure;
  return outcome.faces[0]?.embeddings[embedderId] ?? "no face";
}
