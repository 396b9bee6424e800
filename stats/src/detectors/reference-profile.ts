/**
 * A reference profile: everything the detectors need from a frozen reference sample, computed
 * once when a reference version is made and never refitted implicitly.
 *
 * - PCA (top-k, default 10) — PC1 drives the streaming ADWIN, the top-k the batch PSI/KS;
 * - PSI bins and reference counts per principal component;
 * - a projected reference sample per component for KS;
 * - an MMD reference sample (default 500 rows, seeded choice) with its frozen RBF bandwidth;
 * - calibration on the reference alone: ADWIN false alarms when replaying resampled reference
 *   PC1 scores, the split-half PSI noise floor, and the MMD² null distribution's upper quantile.
 *
 * The profile is plain JSON with a format tag, so it can be stored, exported and imported with
 * the model it belongs to.
 */
import { Adwin, type AdwinParams, DEFAULT_ADWIN_PARAMS, validateAdwinParams } from "../adwin.ts";
import type { Matrix } from "../matrix-input.ts";
import { mmdNullDistribution } from "../mmd.ts";
import { quantileSorted } from "../numeric/quantile.ts";
import { randomSubsetLabels, seededRng } from "../numeric/random.ts";
import { fitPca, type PcaModelJson, pcaToJson, transformPca } from "../pca.ts";
import { fitPsiBins, type PsiBinning, type PsiBins, psi } from "../psi.ts";

export const REFERENCE_PROFILE_FORMAT = "facedrift.reference-profile/1";

export interface ReferenceProfileOptions {
  /** Principal components kept (default 10, fewer if the sample is smaller). */
  components?: number;
  psiBinning?: PsiBinning;
  /** Rows kept for MMD (default 500). */
  mmdSampleSize?: number;
  /** Rows of projected scores kept for KS (default 2,000). */
  ksSampleSize?: number;
  adwin?: Partial<AdwinParams>;
  /** Seed of every random choice (subsamples, resampled streams, splits). */
  seed?: number;
}

export interface ReferenceCalibration {
  /** ADWIN on PC1 replayed over a resampled in-distribution stream. */
  adwin: { delta: number; replayedUpdates: number; falseAlarms: number; falseAlarmsPer10k: number };
  /** PSI between two random halves of the reference, per component: the no-drift noise floor. */
  psiSplitHalf: number[];
  /** Upper quantiles of MMD²_u between reference halves (half size = mmd.sampleSize / 2). */
  mmdNull: { splits: number; halfSize: number; q95: number; q99: number };
}

export interface ReferenceProfile {
  format: typeof REFERENCE_PROFILE_FORMAT;
  dimension: number;
  nSamples: number;
  seed: number;
  pca: PcaModelJson;
  psi: PsiBins[];
  /** ksSampleSize × k projected reference scores, row-major. */
  ksSample: { rows: number; scores: number[] };
  mmd: { sampleSize: number; sample: number[]; sigma: number };
  adwin: AdwinParams;
  calibration: ReferenceCalibration;
}

export function fitReferenceProfile(
  x: Matrix,
  n: number,
  d: number,
  options: ReferenceProfileOptions = {},
): ReferenceProfile {
  const seed = options.seed ?? 0;
  const k = Math.min(options.components ?? 10, n, d);
  const adwin = validateAdwinParams({ ...DEFAULT_ADWIN_PARAMS, ...options.adwin });
  const pca = fitPca(x, n, d, k);
  const scores = transformPca(pca, x, n);
  const column = (j: number, rows: ArrayLike<number> = scores, count = n) =>
    Float64Array.from({ length: count }, (_, i) => rows[i * k + j] as number);
  const binning = options.psiBinning ?? { kind: "quantile", bins: 10 };
  const psiBins = Array.from({ length: k }, (_, j) => fitPsiBins(column(j), binning));

  const rng = seededRng(seed);
  const ksRows = pickRows(n, Math.min(options.ksSampleSize ?? 2000, n), rng);
  const ksScores = ksRows.flatMap((i) => Array.from(scores.subarray(i * k, i * k + k)));

  const mmdRows = pickRows(n, Math.min(options.mmdSampleSize ?? 500, n), rng);
  const mmdSample = new Float64Array(mmdRows.length * d);
  mmdRows.forEach((i, r) => {
    mmdSample.set(x.subarray(i * d, i * d + d), r * d);
  });
  const nullDistribution = mmdNullDistribution(mmdSample, mmdRows.length, d, { splits: 200, seed });

  return {
    format: REFERENCE_PROFILE_FORMAT,
    dimension: d,
    nSamples: n,
    seed,
    pca: pcaToJson(pca),
    psi: psiBins,
    ksSample: { rows: ksRows.length, scores: ksScores },
    mmd: { sampleSize: mmdRows.length, sample: Array.from(mmdSample), sigma: nullDistribution.sigma },
    adwin,
    calibration: {
      adwin: replayAdwin(column(0), adwin, seed),
      psiSplitHalf: Array.from({ length: k }, (_, j) => splitHalfPsi(column(j), binning, seed + j)),
      mmdNull: {
        splits: nullDistribution.statistics.length,
        halfSize: mmdRows.length >> 1,
        q95: quantileSorted(nullDistribution.statistics, 0.95),
        q99: quantileSorted(nullDistribution.statistics, 0.99),
      },
    },
  };
}

/** `count` distinct row indices, ascending (a seeded uniform subsample). */
function pickRows(n: number, count: number, rng: () => number): number[] {
  const labels = new Uint8Array(n);
  randomSubsetLabels(labels, 1, n, count, rng);
  const rows: number[] = [];
  labels.forEach((flag, i) => {
    if (flag) rows.push(i);
  });
  return rows;
}

/** False alarms of ADWIN over 50,000 values resampled (with replacement) from the reference. */
function replayAdwin(pc1: Float64Array, params: AdwinParams, seed: number): ReferenceCalibration["adwin"] {
  const updates = 50_000;
  const rng = seededRng(seed ^ 0x5eed);
  const detector = new Adwin(params);
  let falseAlarms = 0;
  for (let i = 0; i < updates; i++) {
    if (detector.update(pc1[Math.floor(rng() * pc1.length)] as number)) falseAlarms++;
  }
  return {
    delta: params.delta,
    replayedUpdates: updates,
    falseAlarms,
    falseAlarmsPer10k: (falseAlarms * 1e4) / updates,
  };
}

function splitHalfPsi(values: Float64Array, binning: PsiBinning, seed: number): number {
  if (values.length < 4) return 0;
  const labels = new Uint8Array(values.length);
  randomSubsetLabels(labels, 1, values.length, values.length >> 1, seededRng(seed));
  const first = values.filter((_, i) => labels[i] === 1);
  const second = values.filter((_, i) => labels[i] === 0);
  return psi(first, second, binning).psi;
}
