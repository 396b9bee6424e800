/**
 * @module
 * How much a shift hurts recognition: AUC and EER on the LFW View 1 pairs whose two photos are
 * both of held-out people, with both photos shifted (a pair with a photo where the shifted image
 * lost its face scores −1, a rejection, as in models/scripts/lfw-pairs.ts).
 */
import { cosineSimilarity } from "@facedrift/models";
import { readPairs } from "@facedrift/models/node";
import { verificationMetrics } from "@facedrift/stats";
import type { CachedSet } from "./cache.ts";
import { PAIRS_FILE } from "./dataset.ts";

export interface PairSet {
  left: string[];
  right: string[];
  labels: number[];
}

/** The pairs with both images in `images`. */
export async function pairsWithin(images: readonly string[]): Promise<PairSet> {
  const inside = new Set(images);
  const pairs = (await readPairs(PAIRS_FILE)).filter((p) => inside.has(p.left) && inside.has(p.right));
  return {
    left: pairs.map((p) => p.left),
    right: pairs.map((p) => p.right),
    labels: pairs.map((p) => (p.same ? 1 : 0)),
  };
}

export interface VerificationImpact {
  auc: number;
  eer: number;
  /** Pairs that lost a face to the shift. */
  pairsWithoutFace: number;
}

export function verificationImpact(pairs: PairSet, set: CachedSet): VerificationImpact {
  let pairsWithoutFace = 0;
  const scores = pairs.left.map((left, i) => {
    const a = set.embeddings.get(left);
    const b = set.embeddings.get(pairs.right[i] as string);
    if (!a || !b) {
      pairsWithoutFace++;
      return -1;
    }
    return cosineSimilarity(a, b);
  });
  const { auc, eer } = verificationMetrics(scores, pairs.labels);
  return { auc, eer, pairsWithoutFace };
}
