/**
 * @module
 * How much identity detail a window's embeddings keep: the mean PCA residual of its rows (the
 * energy outside the reference's top principal components), against the level *new* people of an
 * unchanged pipeline would show.
 *
 * Degraded input (blur, noise, low resolution, heavy compression, occlusion) strips the fine
 * detail that tells people apart, and embeddings fall back towards the reference's dominant
 * directions: the residual drops. New people of an unchanged pipeline raise it a little (they
 * are not the people the components were fitted on). So the residual's fall is a measure of harm
 * that quality signals only see indirectly — docs/who-vs-how.md measures it beside them — and the
 * harm model (`harm-model.ts`) uses it as one more effect. It never fires a finding on its own:
 * population changes move it too.
 *
 * The reference rows themselves sit lower than new people would (the components were fitted on
 * them), so the level is cross-fitted: people are split into folds, each fold's residuals taken
 * under components fitted on the other folds. Without named people, blocks of consecutive rows
 * stand in for them, as elsewhere in the profile.
 */
import type { Matrix } from "../matrix-input.ts";
import { seededRng, shuffleInPlace } from "../numeric/random.ts";
import { fitPca, type PcaModel } from "../pca.ts";
import { timeBlocks } from "./knn-threshold.ts";
import { pcaResidual } from "./pca-residual.ts";

/** The level new people show, and its spread over single faces (what an effect is measured in). */
export interface ResidualLevel {
  mean: number;
  sd: number;
  /** Folds of people, and reference rows the level was measured on. */
  folds: number;
  rows: number;
}

/** Folds of the cross-fit: each fit sees four fifths of the people. */
const FOLDS = 5;
/** Rows the cross-fit uses at most: the level's mean is settled long before, and each fold refits the PCA. */
const MAX_ROWS = 5000;

/**
 * Cross-fitted residual level of a reference (`x`: n × d, `k` components as its profile keeps),
 * people named by `groups` (else blocks of consecutive rows). Null when fewer than two groups or
 * too few rows per fold to fit `k` components.
 */
export function fitResidualLevel(
  x: Matrix,
  n: number,
  d: number,
  k: number,
  groups: ArrayLike<number> | null,
  seed: number,
): ResidualLevel | null {
  const labels = groups ?? timeBlocks(n, 2 * FOLDS);
  const rng = seededRng(seed);
  const rows = Array.from({ length: n }, (_, i) => i);
  // A seeded subsample keeps the fit's cost bounded on large references.
  if (n > MAX_ROWS) shuffleInPlace(rows, rng);
  const used = rows.slice(0, Math.min(n, MAX_ROWS));
  const ids = [...new Set(used.map((i) => labels[i] as number))];
  if (ids.length < 2) return null;
  shuffleInPlace(ids, rng);
  const folds = Math.min(FOLDS, ids.length);
  const foldOf = new Map(ids.map((g, i) => [g, i % folds]));
  const values: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = used.filter((i) => foldOf.get(labels[i] as number) !== f);
    const test = used.filter((i) => foldOf.get(labels[i] as number) === f);
    if (test.length === 0) continue;
    if (train.length <= k) return null;
    const model = fitPca(gather(x, train, d), train.length, d, k);
    for (const r of pcaResidual(model, gather(x, test, d), test.length)) values.push(r);
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd, folds, rows: values.length };
}

/** How far a window's mean residual lies from the level, in the level's standard deviations (negative: detail lost). */
export function residualEffect(level: ResidualLevel, pca: PcaModel, x: Matrix, n: number): number {
  if (n === 0 || !(level.sd > 0)) return 0;
  const residuals = pcaResidual(pca, x, n);
  let sum = 0;
  for (const r of residuals) sum += r;
  return (sum / n - level.mean) / level.sd;
}

function gather(x: Matrix, rows: readonly number[], d: number): Float64Array {
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let t = 0; t < d; t++) out[i * d + t] = x[r * d + t] as number;
  });
  return out;
}
