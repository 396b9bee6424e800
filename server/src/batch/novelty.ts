import type { Executor } from "../db/database.ts";
import { sampleIndices } from "../services/embeddings/window.ts";
import { nearestForEmbeddings } from "../services/references/knn.ts";

export interface NoveltyResult {
  /** Share of queried embeddings farther (cosine) from every reference vector than `threshold`. */
  rate: number | null;
  threshold: number | null;
  queries: number;
  meanDistance: number | null;
}

/**
 * The kNN novelty rate of a window: of a seeded sample of its embeddings (`queries`, default 500;
 * all when the window is smaller), the share whose cosine distance to the nearest reference
 * vector (HNSW, approximate) exceeds the reference's own 99th percentile (`knn_threshold`). A
 * sample of 500 bounds the rate's standard error by about 0.022 whatever the window size, and
 * keeps the 100,000-row run within its time budget. Null when the set has no threshold.
 */
export async function measureNovelty(
  db: Executor,
  input: {
    referenceSetId: number;
    dimension: number;
    threshold: number | null;
    streamId: number;
    seqs: readonly number[];
    queries: number;
    seed: number;
  },
): Promise<NoveltyResult> {
  if (input.threshold === null) return { rate: null, threshold: null, queries: 0, meanDistance: null };
  const picked = sampleIndices(input.seqs.length, input.queries, input.seed ^ 0x4e4f56).map(
    (i) => input.seqs[i] as number,
  );
  const distances = await nearestForEmbeddings(
    db,
    input.referenceSetId,
    input.dimension,
    input.streamId,
    picked,
  );
  if (distances.length === 0)
    return { rate: null, threshold: input.threshold, queries: 0, meanDistance: null };
  const threshold = input.threshold;
  const novel = distances.filter((d) => d > threshold).length;
  return {
    rate: novel / distances.length,
    threshold,
    queries: distances.length,
    meanDistance: distances.reduce((s, d) => s + d, 0) / distances.length,
  };
}
