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
import { normalQuantile } from "../numeric/normal-quantile.ts";
import { seededRng, shuffleInPlace } from "../numeric/random.ts";
import { fitPca, type PcaModel } from "../pca.ts";
import type { HarmModel } from "./harm-model.ts";
import { timeBlocks } from "./knn-threshold.ts";
import { centredSquaredNorms, pcaResidual } from "./pca-residual.ts";
import { concentration, distinctRows, leaderClusters, varianceComponents } from "./quality-window.ts";

/** The level new people show, and its spread over single faces (what an effect is measured in). */
export interface ResidualLevel {
  mean: number;
  sd: number;
  /** Folds of people, and reference rows the level was measured on. */
  folds: number;
  rows: number;
  /**
   * What `detailTest` needs; absent from levels stored before it. People differ in how typical
   * they look: a face near the mean face is near it in every direction, so a population of
   * typical-looking people has a low residual with no detail lost. The test therefore reads each
   * face's residual net of what its distance from the mean face ‖x − μ‖² predicts (`slope`,
   * least squares over the cross-fitted rows, centred at their mean `centredEnergy`). Among
   * people the residual takes about a fifth of a change in that distance (LFW, 128-D: 0.20 over
   * faces, 0.17 over people's means); degraded input takes it mostly out of the residual (0.6–0.9).
   * `between`/`within`: between- and within-person variance of that net residual;
   * `concentration`: Σ(m_c/N)² over the measured rows' people.
   */
  slope?: number;
  centredEnergy?: number;
  between?: number;
  within?: number;
  concentration?: number;
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
  const energies: number[] = [];
  const people: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = used.filter((i) => foldOf.get(labels[i] as number) !== f);
    const test = used.filter((i) => foldOf.get(labels[i] as number) === f);
    if (test.length === 0) continue;
    if (train.length <= k) return null;
    const model = fitPca(gather(x, train, d), train.length, d, k);
    const held = gather(x, test, d);
    const residuals = pcaResidual(model, held, test.length);
    const energy = centredSquaredNorms(model, held, test.length);
    values.push(...residuals);
    energies.push(...energy);
    for (const i of test) people.push(labels[i] as number);
  }
  const mean = average(values);
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  const centredEnergy = average(energies);
  let cov = 0;
  let varEnergy = 0;
  values.forEach((v, i) => {
    const e = (energies[i] as number) - centredEnergy;
    cov += (v - mean) * e;
    varEnergy += e * e;
  });
  // The residual is part of ‖x − μ‖²: it cannot fall as the distance grows, nor take more than all of it.
  const slope = varEnergy > 0 ? Math.min(1, Math.max(0, cov / varEnergy)) : 0;
  const net = values.map((v, i) => v - slope * ((energies[i] as number) - centredEnergy));
  const parts = varianceComponents(net, people);
  return {
    mean,
    sd,
    folds,
    rows: values.length,
    slope,
    centredEnergy,
    between: parts.between,
    within: parts.within,
    concentration: concentration(people),
  };
}

const average = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);

/**
 * How far a window's mean residual lies from the level, in the level's standard deviations
 * (negative: detail lost) — net of how typical its faces look where the level has a `slope`, so
 * a population of typical-looking people is not priced as lost detail.
 */
export function residualEffect(level: ResidualLevel, pca: PcaModel, x: Matrix, n: number): number {
  if (n === 0 || !(level.sd > 0)) return 0;
  return netResidualGap(level, pca, x, n) / level.sd;
}

/** The window's mean residual, net of typicality (`slope`), minus the level's mean. */
function netResidualGap(level: ResidualLevel, pca: PcaModel, x: Matrix, n: number): number {
  const residuals = pcaResidual(pca, x, n);
  const slope = level.slope ?? 0;
  const energy = slope > 0 ? centredSquaredNorms(pca, x, n) : null;
  const centre = level.centredEnergy ?? 0;
  let sum = 0;
  residuals.forEach((r, i) => {
    sum += energy ? r - slope * ((energy[i] as number) - centre) : r;
  });
  return sum / n - level.mean;
}

/** The level carries what `detailTest` needs (levels stored before it do not). */
export function hasDetailFields(
  level: ResidualLevel | null | undefined,
): level is ResidualLevel &
  Required<Pick<ResidualLevel, "slope" | "centredEnergy" | "between" | "within" | "concentration">> {
  return (
    level?.slope !== undefined &&
    level.centredEnergy !== undefined &&
    level.between !== undefined &&
    level.within !== undefined &&
    level.concentration !== undefined
  );
}

/**
 * One-sided α of the detail test, the person test's: it runs only on an embedding finding, never
 * on its own, so it spends no false-alarm budget of clean streams.
 */
export const DETAIL_TEST_ALPHA = 0.01;

export interface DetailTest {
  /** The window's mean residual against the level, in its null standard error over people (negative: detail lost). */
  z: number;
  /** The same gap in single faces' standard deviations (`residualEffect` of the distinct rows). */
  effect: number;
  zCritical: number;
  /**
   * z past zCritical the way degraded input moves this embedder's residual (below −zCritical for
   * most): the window's faces keep less identity detail than new people of an unchanged pipeline.
   */
  lost: boolean;
  /**
   * For an embedder whose degraded input lowers the residual: z above zCritical *and* an effect of
   * at least OFF_FACE_SPACE_EFFECT: the embeddings carry far
   * more energy outside the reference's main directions than any new people do (a pipeline that
   * no longer produces face embeddings: wrong input, a broken pre-processing step).
   */
  offFaceSpace: boolean;
  /** Rows tested (after exact repeats were collapsed) and the effective people among them, 1/Σ(n_c/n)². */
  rows: number;
  distinctRows: number;
  people: number;
}

/**
 * Which way degraded input moves an embedder's residual: down for most (detail lost, faces fall
 * towards the main directions: faceapi-recognition128), up for some (faceplugin-feature512, whose
 * degraded faces scatter outside them). Measured per embedder by `npm run bench:who-how` and
 * shipped as the direction of its embedding-only harm model's residual term.
 */
export type ResidualDirection = "down" | "up";

/** The direction of an embedding-only harm model's residual term; down (detail lost) without one. */
export function residualDirectionOf(harm: HarmModel | null): ResidualDirection {
  return harm?.terms.find((t) => t.signal === "embeddingResidual")?.direction ?? "down";
}

/**
 * A residual this far above new people's level (in single faces' standard deviations) is no
 * population: on LFW, look-alike groups of new people and every harmless change stay within
 * ±0.1 of it, and degraded input falls below (docs/who-vs-how.md); a rise five times that means
 * the embedder's output carries what faces do not (noise, a broken pre-processing step).
 */
export const OFF_FACE_SPACE_EFFECT = 0.5;

/**
 * Who or how from the embeddings alone: does a window keep less identity detail than new people
 * would? The null is "new people, unchanged pipeline", *whoever* they are: the window's mean
 * residual, net of what its faces' distance from the mean face predicts (how typical they look,
 * `ResidualLevel.slope`), is compared with the cross-fitted level, with the null variance of a mean over people
 * `b·(Σ(n_c/n)² + Σ(m_c/N)²) + w·(1/n + 1/N)` (`b`/`w`: the residual's between/within-person
 * variance in the reference, `n_c` the sizes of the window's people found at the same-person
 * threshold, exact repeats collapsed) — the quality window's model, on a signal the embedding
 * itself carries. So a window of ten people seen all day gets a wide null, and a new population
 * (people unlike the reference's) is not detail lost: they are new people, which is what the
 * level measures. The fall is what degraded input does (`harm-model.ts` prices it). A rise is
 * what new people do, the more unlike the reference's the more, so it counts only past
 * OFF_FACE_SPACE_EFFECT. Null when the level predates the variance components.
 */
export function detailTest(
  level: ResidualLevel,
  pca: PcaModel,
  x: Matrix,
  n: number,
  samePersonThreshold: number,
  alpha = DETAIL_TEST_ALPHA,
  degraded: ResidualDirection = "down",
): DetailTest | null {
  if (!hasDetailFields(level)) return null;
  const { between, within, concentration: referenceConcentration } = level;
  const d = pca.dim;
  const rows = distinctRows(x, n, d);
  const kept = gather(x, rows, d);
  const labels = leaderClusters(kept, rows.length, d, samePersonThreshold);
  const gap = rows.length > 0 ? netResidualGap(level, pca, kept, rows.length) : 0;
  const c = rows.length > 0 ? concentration(labels) : 1;
  const variance =
    between * (c + referenceConcentration) + within * (1 / Math.max(1, rows.length) + 1 / level.rows);
  const z = gap / Math.sqrt(Math.max(variance, 1e-24));
  const zCritical = normalQuantile(1 - alpha);
  const effect = level.sd > 0 ? gap / level.sd : 0;
  return {
    z,
    effect,
    zCritical,
    lost: rows.length >= 2 && (degraded === "down" ? z < -zCritical : z > zCritical),
    offFaceSpace: degraded === "down" && rows.length >= 2 && z > zCritical && effect >= OFF_FACE_SPACE_EFFECT,
    rows: n,
    distinctRows: rows.length,
    people: rows.length > 0 ? 1 / c : 0,
  };
}

function gather(x: Matrix, rows: readonly number[], d: number): Float64Array {
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let t = 0; t < d; t++) out[i * d + t] = x[r * d + t] as number;
  });
  return out;
}
