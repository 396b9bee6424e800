/**
 * The streaming MMD window on a few numbers per embedding, fast enough to keep up with ingestion.
 *
 * The window of `mmd-window.ts` takes MMD² over all dimensions: per window of 500 it needs
 * 500 × 1,000 dot products of 512-D vectors and 375,000 exponentials, about 70 µs per embedding,
 * which capped the streaming worker near 8,000 embeddings/s (`server/bench/streaming.bench.ts`).
 * This one sees each embedding x through what the worker computes anyway: its scores s on the
 * reference's k principal components and its distance ρ = √residual from their subspace
 * (`pca-residual.ts`). u = (s, ρ) keeps the embedding space's distances inside the subspace
 * exactly and collapses the other directions into one; the residual's own shape is what the
 * residual ADWIN follows.
 *
 * On u it takes MMD²_u with an RBF kernel (bandwidth: the median distance between the MMD
 * sample's rows in u) approximated by D random Fourier features (Rahimi and Recht, NIPS 2007):
 * z(u) = √(2/D) cos(W u + b), W ~ N(0, I/σ²) drawn in orthogonal blocks (below), b ~ U[0, 2π),
 * so k(u, v) ≈ z(u)·z(v). MMD²_u under
 * that kernel needs only each side's sum of z and of ‖z‖²: O(n·D) per window instead of
 * O(n·(n + m)·d), and the sample's sums are computed once. The statistic is exactly the
 * unbiased MMD² of the feature kernel, and its threshold is calibrated on that same statistic
 * (the split-by-group windows and Pearson III fit of `calibrateMmdWindow`), so the false-alarm
 * rate holds whatever the features lose. W and b are stored in the profile: a reader never
 * depends on regenerating them.
 *
 * @example
 * ```ts
 * const window = FeatureMmdWindow.fromProfile(profile.featureWindow, pcaFromJson(profile.pca));
 * const fired = window.statisticOfRows(last500, 500) > profile.featureWindow.threshold;
 * ```
 */
import { kernels } from "@facedrift/wasm-kernels";
import type { Matrix } from "../matrix-input.ts";
import { medianPairwiseDistance } from "../mmd.ts";
import { seededRng } from "../numeric/random.ts";
import {
  fitPca,
  type PcaModel,
  type PcaModelJson,
  pcaFromJson,
  pcaToJson,
  transformPca,
  truncatePca,
} from "../pca.ts";
import {
  type MmdWindowCalibration,
  type MmdWindowOptions,
  planWindows,
  thresholdFromWindows,
} from "./mmd-window.ts";
import { centredSquaredNorms, pcaResidual, residualOfScores } from "./pca-residual.ts";

export const FEATURE_WINDOW_FORMAT = "facedrift.feature-mmd-window/1";
/** Random features (docs/detection-quality.md compares counts). */
export const DEFAULT_WINDOW_FEATURES = 256;
/**
 * Components the window sees. On LFW through the 128-D default embedder
 * (`bench/quality/feature-window.ts`), the profile's 10 components lost JPEG (100 % → 0 %) and
 * blur (100 % → 20 %), 32 lost JPEG, 64 kept 98 % of it, and 128 caught every shift the window on
 * all dimensions catches.
 */
export const DEFAULT_WINDOW_COMPONENTS = 128;

/** The frozen feature map and the window's calibration, stored as `profile.featureWindow`. */
export interface FeatureWindowProfile extends MmdWindowCalibration {
  format: typeof FEATURE_WINDOW_FORMAT;
  /** What u is made of: the k component scores, then √residual. */
  space: "pca-scores+residual";
  components: number;
  /** The window's own PCA (k components; more than the profile's, see DEFAULT_WINDOW_COMPONENTS). */
  pca: PcaModelJson;
  features: number;
  /** RBF bandwidth in u (median distance between the MMD sample's rows). */
  sigma: number;
  /** D × (k + 1) frequencies, row-major, already divided by σ. */
  frequencies: number[];
  /** D phases in [0, 2π). */
  phases: number[];
  /** Sum over the MMD sample of z, and of ‖z‖² (the sample's side of MMD²_u). */
  sample: { rows: number; sum: number[]; squares: number };
}

/** Each row's u = (scores on the k components, √residual), n × (k + 1), f32 for the projection kernel. */
export function windowCoordinates(scores: Float64Array, residual: Float64Array, n: number, k: number) {
  const u = new Float32Array(n * (k + 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) u[i * (k + 1) + j] = scores[i * k + j] as number;
    u[i * (k + 1) + k] = Math.sqrt(residual[i] as number);
  }
  return u;
}

/** z = √(2/D) cos(W u + b) of each row of u (n × c), n × D: one kernel call, cosines included. */
function randomFeatures(
  u: Float32Array,
  n: number,
  c: number,
  frequencies: Float32Array,
  phases: Float64Array,
) {
  const D = phases.length;
  return kernels().randomFeatures(u, n, c, frequencies, D, phases, Math.sqrt(2 / D));
}

/** Each side's sums: Σ z over the rows, and Σ ‖z‖². */
function featureSums(z: Float64Array, D: number): { sum: Float64Array; squares: number } {
  const sum = new Float64Array(D);
  let squares = 0;
  for (let i = 0; i < z.length; i += D) {
    for (let f = 0; f < D; f++) {
      const v = z[i + f] as number;
      sum[f] = (sum[f] as number) + v;
      squares += v * v;
    }
  }
  return { sum, squares };
}

/** MMD²_u of the feature kernel window-vs-sample, from each side's sums. */
function unbiased(
  sum: Float64Array,
  squares: number,
  n: number,
  sample: { rows: number; sum: ArrayLike<number>; squares: number },
) {
  const m = sample.rows;
  let xx = 0;
  let xy = 0;
  let yy = 0;
  for (let f = 0; f < sum.length; f++) {
    const a = sum[f] as number;
    const b = sample.sum[f] as number;
    xx += a * a;
    xy += a * b;
    yy += b * b;
  }
  return (yy - sample.squares) / (m * (m - 1)) + (xx - squares) / (n * (n - 1)) - (2 * xy) / (m * n);
}

/** The streaming side: features of rows, and the statistic of a window of them. */
export class FeatureMmdWindow {
  private readonly frequencies: Float32Array;
  private readonly phases: Float64Array;

  private readonly pca: PcaModel;
  /** The PCA's components as f32 and each one's offset μ·c_j, for the projection kernel. */
  private readonly components: Float32Array;
  private readonly offset: Float64Array;

  constructor(readonly profile: FeatureWindowProfile) {
    const { features: D, components: k } = profile;
    this.pca = pcaFromJson(profile.pca);
    this.components = Float32Array.from(this.pca.components);
    const { mean, components, dim: d } = this.pca;
    this.offset = Float64Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += (mean[t] as number) * (components[j * d + t] as number);
      return s;
    });
    if (k !== this.pca.nComponents)
      throw new RangeError(`the window uses ${k} components, its PCA has ${this.pca.nComponents}`);
    if (
      profile.frequencies.length !== D * (k + 1) ||
      profile.phases.length !== D ||
      profile.sample.sum.length !== D
    )
      throw new RangeError(`the feature window's arrays do not match ${D} features of ${k + 1} coordinates`);
    this.frequencies = Float32Array.from(profile.frequencies);
    this.phases = Float64Array.from(profile.phases);
  }

  /** z of each row from its scores and residual (n × D, row-major). */
  features(scores: Float64Array, residual: Float64Array, n: number): Float64Array {
    const k = this.profile.components;
    return randomFeatures(windowCoordinates(scores, residual, n, k), n, k + 1, this.frequencies, this.phases);
  }

  /**
   * z of raw embeddings (n × d, f32 as stored): projected and measured against the window's PCA
   * first. The projection is `projectPca`'s, with the kernel's inputs prepared once.
   */
  featuresOfRows(x: Float32Array, n: number): Float64Array {
    const scores = this.project(x, n);
    return this.featuresOfProjected(scores, centredSquaredNorms(this.pca, x, n), n);
  }

  /** Scores of raw embeddings on the window's k components (n × k): `projectPca`'s, bit for bit. */
  project(x: Float32Array, n: number): Float64Array {
    const { dim: d, nComponents: k } = this.pca;
    if (x.length !== n * d) throw new RangeError(`X has ${x.length} values, expected ${n}×${d}`);
    return kernels().project(x, n, d, this.components, k, this.offset);
  }

  /** z from the rows' window scores (`project`) and their ‖x − μ‖² (`centredSquaredNorms`). */
  featuresOfProjected(scores: Float64Array, centred2: Float64Array, n: number): Float64Array {
    const k = this.profile.components;
    return this.features(scores, residualOfScores(centred2, scores, n, k, k), n);
  }

  /**
   * Whether `pca` (the profile's) is the window's PCA cut to fewer components: the same mean and
   * the same leading components, bit for bit. Then a row's scores on `pca` are the first columns
   * of its window scores, and one projection serves both (the profile's fit takes its components
   * from the same eigendecomposition of the same rows, so profiles fitted so far qualify).
   */
  sharesProjection(pca: PcaModel): boolean {
    const own = this.pca;
    if (pca.dim !== own.dim || pca.nComponents > own.nComponents) return false;
    for (let t = 0; t < own.dim; t++) if (pca.mean[t] !== own.mean[t]) return false;
    const prefix = pca.nComponents * own.dim;
    for (let i = 0; i < prefix; i++) if (pca.components[i] !== own.components[i]) return false;
    return true;
  }

  /** MMD²_u of the window whose rows have features `z` (n × D). */
  statistic(z: Float64Array, n: number): number {
    const D = this.profile.features;
    if (n < 2) throw new RangeError(`a window needs at least 2 rows, got ${n}`);
    if (z.length !== n * D) throw new RangeError(`features have ${z.length} values, expected ${n}×${D}`);
    const { sum, squares } = featureSums(z, D);
    return unbiased(sum, squares, n, this.profile.sample);
  }

  /** MMD²_u of a window of raw embeddings (n × d). */
  statisticOfRows(x: Float32Array, n: number): number {
    return this.statistic(this.featuresOfRows(x, n), n);
  }
}

export interface FeatureWindowOptions extends MmdWindowOptions {
  /** Random features D (default 256). */
  features?: number;
  /** Principal components the window sees (default 64, at most the dimension). */
  components?: number;
}

/**
 * Fits the feature map on the MMD sample's rows (`sampleRows` of the reference) and calibrates
 * the window's threshold on windows drawn like `calibrateMmdWindow`'s, with the same seed and
 * groups, so both windows see the same pool. `fitted`, a PCA of the same rows with at least the
 * window's components (the reference fit's), is cut to them instead of fitting again
 * (`truncatePca`: the same numbers).
 */
export function calibrateFeatureWindow(
  x: Matrix,
  n: number,
  d: number,
  sampleRows: readonly number[],
  options: FeatureWindowOptions = {},
  poolCandidates?: readonly number[],
  fitted?: PcaModel,
): FeatureWindowProfile | { skipped: string } {
  const D = options.features ?? DEFAULT_WINDOW_FEATURES;
  if (!Number.isInteger(D) || D < 1) throw new RangeError(`features must be a positive integer, got ${D}`);
  const plan = planWindows(n, sampleRows, options, poolCandidates);
  if ("skipped" in plan) return plan;
  const wanted = Math.min(options.components ?? DEFAULT_WINDOW_COMPONENTS, d, n - 1);
  // With fewer components than dimensions the space depends on the rows it is fitted on: a PCA
  // fits its own rows closer (smaller residual, more spread on its components) than anyone else's.
  // A stream's faces are new people, so the calibration windows must be rows the PCA never saw,
  // or the null they give is too quiet: fitted on every reference row, the window fired on 56 % of
  // clean windows of held-out people through a 1,024-D embedder (bench/quality/feature-window.ts).
  // So it is fitted on the rows of the MMD sample's people only, and the calibration pool (other
  // people) is out of sample exactly as a stream is. With as many components as dimensions the
  // window sees a rotation of the whole space, whichever rows fitted it: the reference fit's PCA
  // is cut to it, so the worker projects once.
  const fitRows = wanted >= d ? null : rowsOutsidePool(n, sampleRows, poolCandidates);
  const k = fitRows ? Math.min(wanted, fitRows.length - 1) : wanted;
  const pca = fitRows
    ? fitPca(selectRows(x, d, fitRows), fitRows.length, d, k)
    : fitted && fitted.nSamples === n && fitted.dim === d && fitted.nComponents >= k
      ? truncatePca(fitted, k)
      : fitPca(x, n, d, k);
  const scores = transformPca(pca, x, n);
  const u = windowCoordinates(scores, pcaResidual(pca, x, n, scores), n, k);
  const c = k + 1;
  const rowsOf = (rows: readonly number[]) => {
    const out = new Float32Array(rows.length * c);
    rows.forEach((r, i) => {
      out.set(u.subarray(r * c, (r + 1) * c), i * c);
    });
    return out;
  };
  const sampleU = rowsOf(sampleRows);
  const sigma = medianPairwiseDistance(
    kernels().pairwiseSquaredDistances(sampleU, sampleRows.length, c),
    sampleRows.length,
  );
  if (!(sigma > 0)) return { skipped: "the MMD sample's rows coincide in PCA scores and residual" };
  // Frequencies from their own generator, so the windows' draws match calibrateMmdWindow's.
  const rng = seededRng((options.seed ?? 0) ^ 0xf0f0);
  const normal = () => {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    return r * Math.cos(2 * Math.PI * rng());
  };
  const frequencies = orthogonalFrequencies(D, c, normal).map((w) => w / sigma);
  const phases = Array.from({ length: D }, () => 2 * Math.PI * rng());
  const w = Float32Array.from(frequencies);
  const phaseArray = Float64Array.from(phases);
  const sampleSums = featureSums(randomFeatures(sampleU, sampleRows.length, c, w, phaseArray), D);
  const sample = { rows: sampleRows.length, sum: Array.from(sampleSums.sum), squares: sampleSums.squares };
  const poolZ = randomFeatures(rowsOf(plan.poolRows), plan.poolRows.length, c, w, phaseArray);
  const poolSquares = Float64Array.from({ length: plan.poolRows.length }, (_, i) => {
    let q = 0;
    for (let f = 0; f < D; f++) q += (poolZ[i * D + f] as number) ** 2;
    return q;
  });
  const sum = new Float64Array(D);
  const calibration = thresholdFromWindows(plan, (indices) => {
    sum.fill(0);
    let squares = 0;
    for (const i of indices) {
      for (let f = 0; f < D; f++) sum[f] = (sum[f] as number) + (poolZ[i * D + f] as number);
      squares += poolSquares[i] as number;
    }
    return unbiased(sum, squares, indices.length, sample);
  });
  return {
    format: FEATURE_WINDOW_FORMAT,
    space: "pca-scores+residual",
    components: k,
    pca: pcaToJson(pca),
    features: D,
    sigma,
    frequencies,
    phases,
    sample,
    ...calibration,
  };
}

/** The rows of the MMD sample's people: every row that is not a calibration candidate, and the sample itself. */
function rowsOutsidePool(
  n: number,
  sampleRows: readonly number[],
  poolCandidates?: readonly number[],
): number[] {
  const candidate = new Uint8Array(n);
  for (const r of poolCandidates ?? Array.from({ length: n }, (_, i) => i)) candidate[r] = 1;
  for (const r of sampleRows) candidate[r] = 0;
  return Array.from({ length: n }, (_, i) => i).filter((i) => !candidate[i]);
}

function selectRows(x: Matrix, d: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let t = 0; t < d; t++) out[i * d + t] = x[r * d + t] as number;
  });
  return out;
}

/**
 * D × c Gaussian frequencies drawn in orthogonal blocks (Yu et al., "Orthogonal Random
 * Features", NeurIPS 2016): each block of c rows is a Gaussian matrix's orthonormalised rows,
 * each scaled by the length of an independent Gaussian c-vector, so every row is still N(0, I)
 * but rows of a block are orthogonal; the kernel estimate's variance drops.
 */
function orthogonalFrequencies(D: number, c: number, normal: () => number): number[] {
  const out: number[] = [];
  while (out.length < D * c) {
    const block: number[][] = [];
    for (let r = 0; r < c; r++) {
      let v = Array.from({ length: c }, normal);
      for (const u of block) {
        const dot = v.reduce((s, x, i) => s + x * (u[i] as number), 0);
        v = v.map((x, i) => x - dot * (u[i] as number));
      }
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      block.push(v.map((x) => x / norm));
    }
    for (const u of block) {
      const length = Math.sqrt(Array.from({ length: c }, normal).reduce((s, x) => s + x * x, 0));
      out.push(...u.map((x) => x * length));
    }
  }
  return out.slice(0, D * c);
}
