/**
 * A reference profile: everything the detectors need from a frozen reference sample, computed
 * once when a reference version is made and never refitted implicitly.
 *
 * - PCA (top-k, default 10) — PC1 drives the streaming ADWIN, the top-k the batch PSI/KS;
 * - PSI bins and reference counts per principal component;
 * - a projected reference sample per component for KS;
 * - an MMD reference sample (default 500 rows, seeded choice) with its frozen RBF bandwidth;
 * - calibration on the reference alone: ADWIN's δ chosen for a target false-alarm rate by
 *   replaying resampled reference PC1 scores, the split-half PSI noise floor, and the MMD² null
 *   distribution's upper quantile;
 * - the streaming detectors docs/detection-quality.md recommends beside PC1: ADWIN on the PCA
 *   residual (`residual`, δ calibrated like PC1's) and the MMD window threshold (`mmdWindow`).
 *
 * `featureWindow` (the streaming worker's MMD window on PCA scores and residual) came later, the
 * same way. `residual`, `mmdWindow` and `featureWindow` are optional fields of the same format, not a new format: they only
 * add detectors, every older field keeps its meaning, so an export from this version still loads
 * where it did, and a profile stored before them (which lacks them) stays valid; readers run
 * PC1 alone then and say so (`server/src/streaming/reference.ts`).
 *
 * The profile is plain JSON with a format tag, so it can be stored, exported and imported with
 * the model it belongs to.
 */
import { Adwin, type AdwinParams, DEFAULT_ADWIN_PARAMS, validateAdwinParams } from "../adwin.ts";
import type { Matrix } from "../matrix-input.ts";
import { mmdNullDistribution } from "../mmd.ts";
import { quantileSorted } from "../numeric/quantile.ts";
import { randomSubsetLabels, seededRng } from "../numeric/random.ts";
import { fitPca, type PcaModelJson, pcaToJson, transformPca, truncatePca } from "../pca.ts";
import { fitPsiBins, type PsiBinning, type PsiBins, psi } from "../psi.ts";
import { calibrateAdwinDelta } from "./adwin-calibration.ts";
import {
  calibrateFeatureWindow,
  DEFAULT_WINDOW_COMPONENTS,
  type FeatureWindowProfile,
} from "./feature-mmd-window.ts";
import { DEFAULT_TIME_BLOCKS, timeBlocks } from "./knn-threshold.ts";
import { calibrateMmdWindow, type MmdWindowCalibration, type MmdWindowOptions } from "./mmd-window.ts";
import { pcaResidual } from "./pca-residual.ts";
import {
  fitQualityProfile,
  type QualityProfile,
  type QualityRecord,
  samePersonThreshold,
} from "./quality-window.ts";
import { fitResidualLevel, type ResidualLevel } from "./residual-level.ts";

export const REFERENCE_PROFILE_FORMAT = "facedrift.reference-profile/1";

export interface ReferenceProfileOptions {
  /** Principal components kept (default 10, fewer if the sample is smaller). */
  components?: number;
  psiBinning?: PsiBinning;
  /** Rows kept for MMD (default 500). */
  mmdSampleSize?: number;
  /** Rows of projected scores kept for KS (default 2,000). */
  ksSampleSize?: number;
  /** ADWIN parameters; an explicit `delta` is kept as given, otherwise δ is calibrated (below). */
  adwin?: Partial<AdwinParams>;
  /**
   * False alarms per 10,000 in-distribution updates that ADWIN's δ is calibrated to on the
   * reference replay (default 0.01, one per million). Facedrift's budget is one false alarm per
   * 100,000 embeddings for everything together, and docs/detection-quality.md spends 0.8 of it
   * on batch windows; the streaming detector gets a small share of the rest.
   */
  adwinTargetPer10k?: number;
  /** The streaming MMD window (size 500, α = 0.004 by default; see mmd-window.ts). */
  mmdWindow?: MmdWindowOptions;
  /** Random features of the streaming window (default 256; feature-mmd-window.ts). */
  windowFeatures?: number;
  /** Principal components the streaming window sees (default 64; feature-mmd-window.ts). */
  windowComponents?: number;
  /**
   * A group per row — the person when embeddings name one, else a time block (default: 10
   * contiguous blocks of the rows in the order given). The MMD sample is drawn from half the
   * groups and the MMD window calibrated on windows of the others, so its null is that of new
   * people, which is what production brings (mmd-window.ts).
   */
  groups?: ArrayLike<number>;
  /**
   * Each reference face's quality signals (`metadata.quality`), for the input/pipeline detector
   * (`quality-window.ts`); `identities` names people when the embeddings do (else the detector
   * finds them by clustering).
   */
  quality?: { records: readonly QualityRecord[]; identities: ArrayLike<number> | null };
  /** Seed of every random choice (subsamples, resampled streams, splits). */
  seed?: number;
}

export interface ReferenceCalibration {
  /** ADWIN on PC1 replayed over a resampled in-distribution stream. */
  adwin: {
    delta: number;
    replayedUpdates: number;
    falseAlarms: number;
    falseAlarmsPer10k: number;
    /** Present when δ was calibrated: the target and every δ tried (largest first). */
    targetPer10k?: number;
    tried?: { delta: number; falseAlarmsPer10k: number }[];
  };
  /** PSI between two random halves of the reference, per component: the no-drift noise floor. */
  psiSplitHalf: number[];
  /** Upper quantiles of MMD²_u between reference halves (half size = mmd.sampleSize / 2). */
  mmdNull: { splits: number; halfSize: number; q95: number; q99: number };
  /** Why the profile has no `mmdWindow` (too few reference rows outside the MMD sample). */
  mmdWindowSkipped?: string;
  /** Why the profile has no `featureWindow` (as `mmdWindowSkipped`, or a degenerate sample). */
  featureWindowSkipped?: string;
  /** Why the profile has no `quality` detector (the reference carries too few quality signals). */
  qualitySkipped?: string;
}

/** ADWIN on the per-embedding PCA residual (`pca-residual.ts`), calibrated like PC1's. */
export interface ResidualAdwin {
  adwin: AdwinParams;
  calibration: ReferenceCalibration["adwin"];
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
  /**
   * `samePersonThreshold` (cosine; absent in older profiles) cuts a window into people for the
   * batch check's person-permutation test (`person-mmd.ts`).
   */
  mmd: { sampleSize: number; sample: number[]; sigma: number; samePersonThreshold?: number };
  adwin: AdwinParams;
  calibration: ReferenceCalibration;
  /** Absent in profiles fitted before it existed: the streaming worker then follows PC1 only. */
  residual?: ResidualAdwin;
  /** Absent in older profiles, or when the reference is too small (`calibration.mmdWindowSkipped`). */
  mmdWindow?: MmdWindowCalibration;
  /**
   * The streaming MMD window on PCA scores and residual (`feature-mmd-window.ts`), what the
   * streaming worker runs; absent in older profiles, which run `mmdWindow` on all dimensions.
   * `mmdWindow` stays: the batch check confirms with it.
   */
  featureWindow?: FeatureWindowProfile;
  /** The input/pipeline detector on quality signals; absent in older profiles or without signals (`calibration.qualitySkipped`). */
  quality?: QualityProfile;
  /**
   * The PCA residual new people show (`residual-level.ts`), for the harm model's
   * `embeddingResidual` effect; absent in older profiles (their input findings are priced on
   * quality signals alone).
   */
  residualLevel?: ResidualLevel;
}

export function fitReferenceProfile(
  x: Matrix,
  n: number,
  d: number,
  options: ReferenceProfileOptions = {},
): ReferenceProfile {
  const seed = options.seed ?? 0;
  const k = Math.min(options.components ?? 10, n, d);
  // One eigendecomposition for the profile's components and the feature window's: the profile's
  // are the window's first k, so the streaming worker projects each embedding once.
  const windowComponents = Math.min(options.windowComponents ?? DEFAULT_WINDOW_COMPONENTS, d, n - 1);
  const wide = fitPca(x, n, d, Math.max(k, windowComponents));
  const pca = truncatePca(wide, k);
  const scores = transformPca(pca, x, n);
  const column = (j: number, rows: ArrayLike<number> = scores, count = n) =>
    Float64Array.from({ length: count }, (_, i) => rows[i * k + j] as number);
  const { adwin, adwinCalibration } = chooseAdwin(column(0), options, seed);
  // The residual's replay uses another seed than PC1's, so the two replays are not the same draws.
  const residual = chooseAdwin(pcaResidual(pca, x, n, scores), options, seed + 1);
  const binning = options.psiBinning ?? { kind: "quantile", bins: 10 };
  const psiBins = Array.from({ length: k }, (_, j) => fitPsiBins(column(j), binning));

  const rng = seededRng(seed);
  const ksRows = pickRows(n, Math.min(options.ksSampleSize ?? 2000, n), rng);
  const ksScores = ksRows.flatMap((i) => Array.from(scores.subarray(i * k, i * k + k)));

  const { sampleSide, calibrationSide } = splitGroups(
    options.groups ?? timeBlocks(n, DEFAULT_TIME_BLOCKS),
    n,
    rng,
  );
  const mmdRows = pickFrom(sampleSide, Math.min(options.mmdSampleSize ?? 500, sampleSide.length), rng);
  const mmdSample = new Float64Array(mmdRows.length * d);
  mmdRows.forEach((i, r) => {
    mmdSample.set(x.subarray(i * d, i * d + d), r * d);
  });
  const nullDistribution = mmdNullDistribution(mmdSample, mmdRows.length, d, { splits: 200, seed });
  const mmdWindow = calibrateMmdWindow(
    x,
    n,
    d,
    { rows: mmdRows, sample: mmdSample, sigma: nullDistribution.sigma },
    { seed: seed ^ 0x3d3d, ...options.mmdWindow },
    calibrationSide,
  );

  // The same seed and groups as the window above: both draw their calibration windows alike.
  const featureWindow = calibrateFeatureWindow(
    x,
    n,
    d,
    mmdRows,
    {
      seed: seed ^ 0x3d3d,
      ...options.mmdWindow,
      ...(options.windowFeatures ? { features: options.windowFeatures } : {}),
      ...(options.windowComponents ? { components: options.windowComponents } : {}),
    },
    calibrationSide,
    wide,
  );
  const residualLevel = fitResidualLevel(
    x,
    n,
    d,
    k,
    options.quality?.identities ?? options.groups ?? null,
    seed ^ 0x7e51,
  );
  const quality = options.quality
    ? fitQualityProfile(x, n, d, options.quality.records, options.quality.identities, { seed: seed ^ 0x9a11 })
    : { skipped: "no quality signals were given with the reference embeddings" };

  return {
    format: REFERENCE_PROFILE_FORMAT,
    dimension: d,
    nSamples: n,
    seed,
    pca: pcaToJson(pca),
    psi: psiBins,
    ksSample: { rows: ksRows.length, scores: ksScores },
    mmd: {
      sampleSize: mmdRows.length,
      sample: Array.from(mmdSample),
      sigma: nullDistribution.sigma,
      // Between named people when the reference names them, else between random pairs (most of
      // which are different people; the 99.9th percentile is robust to the few that are not).
      samePersonThreshold: samePersonThreshold(x, n, d, options.groups ?? null, seed ^ 0x5a5a),
    },
    adwin,
    calibration: {
      adwin: adwinCalibration,
      psiSplitHalf: Array.from({ length: k }, (_, j) => splitHalfPsi(column(j), binning, seed + j)),
      mmdNull: {
        splits: nullDistribution.statistics.length,
        halfSize: mmdRows.length >> 1,
        q95: quantileSorted(nullDistribution.statistics, 0.95),
        q99: quantileSorted(nullDistribution.statistics, 0.99),
      },
      ...("skipped" in mmdWindow ? { mmdWindowSkipped: mmdWindow.skipped } : {}),
      ...("skipped" in featureWindow ? { featureWindowSkipped: featureWindow.skipped } : {}),
      ...("skipped" in quality ? { qualitySkipped: quality.skipped } : {}),
    },
    residual: { adwin: residual.adwin, calibration: residual.adwinCalibration },
    ...("skipped" in mmdWindow ? {} : { mmdWindow }),
    ...("skipped" in featureWindow ? {} : { featureWindow }),
    ...("skipped" in quality ? {} : { quality }),
    ...(residualLevel ? { residualLevel } : {}),
  };
}

/**
 * Splits the rows by group into two sides of about equal size: groups in a seeded order, each to
 * the side that has fewer rows so far. One group only (or none given): the rows' halves.
 */
function splitGroups(
  groups: ArrayLike<number>,
  n: number,
  rng: () => number,
): { sampleSide: number[]; calibrationSide: number[] } {
  if (groups.length !== n) throw new RangeError(`groups has ${groups.length} entries for ${n} rows`);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    const rows = members.get(g);
    if (rows) rows.push(i);
    else members.set(g, [i]);
  }
  const ordered = [...members.keys()].sort((a, b) => a - b);
  if (ordered.length < 2) return splitGroups(timeBlocks(n, 2), n, rng);
  for (let i = ordered.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [ordered[i], ordered[j]] = [ordered[j] as number, ordered[i] as number];
  }
  const sampleSide: number[] = [];
  const calibrationSide: number[] = [];
  for (const g of ordered) {
    (sampleSide.length <= calibrationSide.length ? sampleSide : calibrationSide).push(
      ...(members.get(g) as number[]),
    );
  }
  return { sampleSide: sampleSide.sort((a, b) => a - b), calibrationSide };
}

/** `count` distinct rows of `candidates` (ascending), a seeded uniform choice. */
function pickFrom(candidates: readonly number[], count: number, rng: () => number): number[] {
  const labels = new Uint8Array(candidates.length);
  randomSubsetLabels(labels, 1, candidates.length, count, rng);
  return candidates.filter((_, i) => labels[i] === 1);
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

/** Replayed updates when δ is calibrated: 0.01 per 10,000 must be resolvable (2 alarms). */
const CALIBRATION_UPDATES = 200_000;
export const DEFAULT_ADWIN_TARGET_PER_10K = 0.01;

/**
 * ADWIN's parameters and calibration for one per-embedding statistic (PC1 score, PCA residual):
 * an explicit δ is replayed as given (50,000 updates, as before calibration existed); otherwise
 * δ is the largest on the grid whose replay of the reference's values meets the target
 * (stats/src/detectors/adwin-calibration.ts).
 */
function chooseAdwin(values: Float64Array, options: ReferenceProfileOptions, seed: number) {
  if (options.adwin?.delta !== undefined) {
    const adwin = validateAdwinParams({ ...DEFAULT_ADWIN_PARAMS, ...options.adwin });
    return { adwin, adwinCalibration: replayAdwin(values, adwin, seed) };
  }
  const { delta: _, ...rest } = { ...DEFAULT_ADWIN_PARAMS, ...options.adwin };
  const targetPer10k = options.adwinTargetPer10k ?? DEFAULT_ADWIN_TARGET_PER_10K;
  const result = calibrateAdwinDelta(values, {
    targetPer10k,
    updates: CALIBRATION_UPDATES,
    seed: seed ^ 0x5eed,
    adwin: rest,
  });
  const adwin = validateAdwinParams({ ...rest, delta: result.delta });
  const chosen = result.tried[result.tried.length - 1] as { falseAlarmsPer10k: number };
  return {
    adwin,
    adwinCalibration: {
      delta: result.delta,
      replayedUpdates: result.updates,
      falseAlarms: Math.round((chosen.falseAlarmsPer10k * result.updates) / 1e4),
      falseAlarmsPer10k: chosen.falseAlarmsPer10k,
      targetPer10k,
      tried: result.tried,
    },
  };
}

/** False alarms of ADWIN over 50,000 values resampled (with replacement) from the reference. */
function replayAdwin(values: Float64Array, params: AdwinParams, seed: number): ReferenceCalibration["adwin"] {
  const updates = 50_000;
  const rng = seededRng(seed ^ 0x5eed);
  const detector = new Adwin(params);
  let falseAlarms = 0;
  for (let i = 0; i < updates; i++) {
    if (detector.update(values[Math.floor(rng() * values.length)] as number)) falseAlarms++;
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
