/**
 * @module
 * Per-embedding statistics the streaming detectors can follow, all computed against the frozen
 * reference: the PC1 score (the seed design), the cosine distance to the nearest reference
 * embedding, the cosine similarity to the reference mean direction, and the squared residual off
 * the top-k PCA subspace (what the k components do not explain; the product's `pcaResidual`).
 */
import { pcaFromJson, pcaResidual, projectPca, type ReferenceProfile } from "@facedrift/stats";
import type { Pool } from "./pools.ts";

export const FEATURES = ["pc1", "nnDistance", "cosToMean", "residual"] as const;
export type Feature = (typeof FEATURES)[number];
export type FeatureValues = Record<Feature, Float64Array>;

export const FEATURE_LABELS: Record<Feature, string> = {
  pc1: "PC1 score",
  nnDistance: "distance to nearest reference",
  cosToMean: "cosine to reference mean",
  residual: "PCA residual",
};

export interface ReferenceModel {
  profile: ReferenceProfile;
  reference: Pool;
  /** Unit vector of the reference mean. */
  meanDirection: Float64Array;
}

export function referenceModel(profile: ReferenceProfile, reference: Pool): ReferenceModel {
  const mean = profile.pca.mean;
  const norm = Math.sqrt(mean.reduce((s, v) => s + v * v, 0));
  return { profile, reference, meanDirection: Float64Array.from(mean, (v) => v / norm) };
}

/**
 * The statistics of every row of `pool`. With `leaveOneOut` (the reference scoring itself) the
 * nearest neighbour is the nearest *other* row, as the product's kNN threshold is computed.
 */
export function features(model: ReferenceModel, pool: Pool, leaveOneOut = false): FeatureValues {
  const { profile, reference } = model;
  const pca = pcaFromJson(profile.pca);
  const k = pca.nComponents;
  const d = pool.d;
  const scores = projectPca(pca, pool.x, pool.n);
  const out: FeatureValues = {
    pc1: new Float64Array(pool.n),
    nnDistance: new Float64Array(pool.n),
    cosToMean: new Float64Array(pool.n),
    residual: pcaResidual(pca, pool.x, pool.n, scores),
  };
  for (let i = 0; i < pool.n; i++) {
    const row = pool.x.subarray(i * d, (i + 1) * d);
    out.pc1[i] = scores[i * k] as number;
    let best = -Infinity;
    for (let r = 0; r < reference.n; r++) {
      if (leaveOneOut && r === i) continue;
      let dot = 0;
      const offset = r * d;
      for (let t = 0; t < d; t++) dot += (row[t] as number) * (reference.x[offset + t] as number);
      if (dot > best) best = dot;
    }
    out.nnDistance[i] = 1 - best;
    let cos = 0;
    for (let t = 0; t < d; t++) cos += (row[t] as number) * (model.meanDirection[t] as number);
    out.cosToMean[i] = cos;
  }
  return out;
}
