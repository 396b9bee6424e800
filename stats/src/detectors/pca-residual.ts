/**
 * The PCA residual of each embedding: its squared distance to the reference's top-k principal
 * subspace, ‖x − μ‖² − Σ_j s_j², where s_j are its scores on the k frozen components. It rises
 * when embeddings gain energy in directions the reference did not use (blur, JPEG, low resolution
 * in docs/detection-quality.md), which PC1 alone cannot see; the benchmark's `residual` feature
 * (bench/quality/features.ts) is this function.
 *
 * @example
 * ```ts
 * const pca = pcaFromJson(profile.pca);
 * const residual = pcaResidual(pca, window, n); // one value per row, ≥ 0
 * ```
 */
import type { Matrix } from "../matrix-input.ts";
import { type PcaModel, projectPca } from "../pca.ts";

/**
 * `scores` are the rows' scores on all k components as `projectPca` returns them (n × k); a caller
 * that already has them (the streaming worker caches them) passes them to save the projection.
 */
export function pcaResidual(model: PcaModel, x: Matrix, n: number, scores?: Float64Array): Float64Array {
  const { dim: d, nComponents: k } = model;
  if (x.length !== n * d) throw new RangeError(`X has ${x.length} values, expected ${n}×${d}`);
  const s = scores ?? projectPca(model, x, n);
  if (s.length !== n * k) throw new RangeError(`scores have ${s.length} values, expected ${n}×${k}`);
  return residualOfScores(centredSquaredNorms(model, x, n), s, n, k, k);
}

/** ‖x_i − μ‖² of each row: the part of the residual that does not depend on the components. */
export function centredSquaredNorms(model: PcaModel, x: Matrix, n: number): Float64Array {
  const { dim: d, mean } = model;
  if (x.length !== n * d) throw new RangeError(`X has ${x.length} values, expected ${n}×${d}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let centred2 = 0;
    for (let t = 0; t < d; t++) centred2 += ((x[i * d + t] as number) - (mean[t] as number)) ** 2;
    out[i] = centred2;
  }
  return out;
}

/**
 * The residual on the first `k` components from each row's ‖x − μ‖² and its scores, `stride`
 * per row. With stride > k it reads a prefix of a larger PCA's scores: the streaming worker
 * projects once on the window's 128 components and takes the profile's 10 from them
 * (`FeatureMmdWindow.sharesProjection`); the same sums in the same order as with k-wide scores.
 */
export function residualOfScores(
  centred2: Float64Array,
  scores: Float64Array,
  n: number,
  stride: number,
  k: number,
): Float64Array {
  if (k > stride) throw new RangeError(`k = ${k} components exceed the ${stride} scores per row`);
  if (centred2.length !== n || scores.length !== n * stride)
    throw new RangeError(`expected ${n} norms and ${n}×${stride} scores`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let explained = 0;
    for (let j = 0; j < k; j++) explained += (scores[i * stride + j] as number) ** 2;
    // The components are orthonormal, so the true value is ≥ 0; the projection kernel sums in f32
    // lanes (relative error ~1e-6), which can leave a vector inside the subspace a hair below 0.
    out[i] = Math.max(0, (centred2[i] as number) - explained);
  }
  return out;
}
