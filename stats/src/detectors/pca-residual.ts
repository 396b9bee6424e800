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
  const { dim: d, nComponents: k, mean } = model;
  if (x.length !== n * d) throw new RangeError(`X has ${x.length} values, expected ${n}×${d}`);
  const s = scores ?? projectPca(model, x, n);
  if (s.length !== n * k) throw new RangeError(`scores have ${s.length} values, expected ${n}×${k}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let centred2 = 0;
    for (let t = 0; t < d; t++) centred2 += ((x[i * d + t] as number) - (mean[t] as number)) ** 2;
    let explained = 0;
    for (let j = 0; j < k; j++) explained += (s[i * k + j] as number) ** 2;
    // The components are orthonormal, so the true value is ≥ 0; the projection kernel sums in f32
    // lanes (relative error ~1e-6), which can leave a vector inside the subspace a hair below 0.
    out[i] = Math.max(0, centred2 - explained);
  }
  return out;
}
