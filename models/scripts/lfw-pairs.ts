/**
 * @module
 * LFW pair handling shared by the evaluation scripts: scoring pairs from per-image embeddings with @facedrift/stats' verification metrics.
 */
import { verificationMetrics } from "@facedrift/stats";
import { cosineSimilarity, type Pair } from "../src/index.ts";

// Reading and subsetting pairs moved into the package, where `facedrift verify` uses them too.
export { balancedSubset, imagesOf, type Pair } from "../src/index.ts";
export { readPairs } from "../src/node/index.ts";

/** Per-image embeddings, by embedder id. */
export type EmbeddingsByImage = ReadonlyMap<string, Readonly<Record<string, Float32Array>>>;

/**
 * AUC, EER and TAR@FAR of one embedder from cosine similarity. A pair with an image where no face
 * was found scores −1, i.e. it counts as a rejection rather than being dropped.
 */
export function scorePairs(pairs: readonly Pair[], embeddings: EmbeddingsByImage, embedderId: string) {
  const scores = pairs.map((p) => {
    const a = embeddings.get(p.left)?.[embedderId];
    const b = embeddings.get(p.right)?.[embedderId];
    return a && b ? cosineSimilarity(a, b) : -1;
  });
  const { auc, eer, tarAtFar } = verificationMetrics(
    scores,
    pairs.map((p) => (p.same ? 1 : 0)),
  );
  return { pairs: pairs.length, auc, eer, tarAtFar };
}
