/**
 * @module
 * From per-image outcomes to verification metrics: cosine similarity of the two faces of every
 * pair whose images both gave one, then ROC AUC, EER and TAR@FAR (`verificationMetrics` of
 * @facedrift/stats). A pair with an image that gave no face is skipped, with the reason, rather
 * than scored: the stored AUC is then the model's on the pairs it could see, and the skipped list
 * says how many it could not. (The LFW evaluation script instead scores such pairs −1; on LFW
 * View 1 every image gives a face, so both agree there.)
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
  /** Pairs scored (genuine + impostor). */
  scored: number;
  skipped: SkippedPair[];
}

function collectScores(
  pairs: readonly Pair[],
  outcomes: ReadonlyMap<string, ImageOutcome>,
  embedderId: string,
): { scores: number[]; labels: number[]; skipped: SkippedPair[] } {
  const scores: number[] = [];
  const labels: number[] = [];
  const skipped: SkippedPair[] = [];
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
    skipped.push({ left: pair.left, right: pair.right, reason: reasons.join("; ") });
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
  return { scores, labels, skipped };
}

export function scorePairs(
  pairs: readonly Pair[],
  outcomes: ReadonlyMap<string, ImageOutcome>,
  embedderId: string,
): PairScores {
  const { scores, labels, skipped } = collectScores(pairs, outcomes, embedderId);
  return { ...verificationMetrics(scores, labels), scored: labels.length, skipped };
}

/** {@link scorePairs} with the metrics computed by a compute worker (`compute/pool.ts`). */
export async function scorePairsOffThread(
  pairs: readonly Pair[],
  outcomes: ReadonlyMap<string, ImageOutcome>,
  embedderId: string,
): Promise<PairScores> {
  const { scores, labels, skipped } = collectScores(pairs, outcomes, embedderId);
  const metrics = await compute({ kind: "verification-metrics", scores, labels });
  return { ...metrics, scored: labels.length, skipped };
}

/** The face's embedding, or why there is none. */
function embeddingOf(outcome: ImageOutcome | undefined, embedderId: string): Float32Array | string {
  if (!outcome) return "missing image";
  if ("failure" in outcome) return outcome.failure;
  return outcome.faces[0]?.embeddings[embedderId] ?? "no face";
}
