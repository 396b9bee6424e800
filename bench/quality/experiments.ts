/**
 * @module
 * The experiments, on cached embeddings only (no face pipeline here):
 *
 * 1. streaming: for each per-embedding statistic, δ calibrated on the reference replay for the
 *    target false-alarm rate, false alarms on long held-out streams (at River's default δ and at
 *    the calibrated one), and the delay after an abrupt shift;
 * 2. batch: for each two-sample detector and window size, the detection rate at a 5 %
 *    false-positive rate calibrated on held-out windows, and the product rule's own rates;
 * 3. verification: AUC/EER of the held-out pairs under each shift.
 *
 * Every random choice derives from one seed; `seeds` in the result records each derived seed.
 */
import { calibrateAdwinDelta, fitReferenceProfile, mmdTable, seededRng, windowMmd2 } from "@facedrift/stats";
import {
  BATCH_DETECTORS,
  type BatchContext,
  type BatchDetector,
  type BatchScores,
  nullThreshold,
  rateAbove,
  scoreWindow,
  shippedDecision,
} from "./batch.ts";
import { cacheFile, readCache } from "./cache.ts";
import { type IdentitySplit, personOf } from "./dataset.ts";
import { FEATURES, type Feature, type FeatureValues, features, referenceModel } from "./features.ts";
import { type Pool, poolFrom, subPool } from "./pools.ts";
import { subgroupPeople } from "./population.ts";
import { CLEAN, type Shift } from "./shifts.ts";
import { detectedWithin, falseAlarmsPer10k, medianDelay, shiftDelays } from "./streaming.ts";
import { pairsWithin, type VerificationImpact, verificationImpact } from "./verification.ts";

export const SIZES = [10, 20, 50, 100, 200, 500, 1000] as const;
/** One false alarm per 100,000 in-distribution embeddings: the goal. */
export const TARGET_PER_10K = 0.1;
export const RIVER_DELTA = 0.002;
/**
 * The batch operating point of the goal: a window every 500 embeddings catches a shift within
 * 1,000 (the second window after it is wholly shifted), and 200 windows per 100,000 embeddings at
 * 0.4 % false positives each is 0.8 false alarms per 100,000, leaving 0.2 for the ADWINs.
 */
export const STRICT = { n: 500, alpha: 0.004 } as const;

export interface ExperimentOptions {
  model: string;
  shifts: readonly Shift[];
  split: IdentitySplit;
  seed: number;
  nullReps: number;
  /** Null windows at STRICT.n, enough to place a STRICT.alpha threshold. */
  strictNullReps: number;
  shiftReps: number;
  /** Windows for the shipped batchCheck (it runs a permutation test, so fewer). */
  shippedReps: number;
  shippedNullReps: number;
  streamReps: number;
  /** In-distribution streams of 100,000 for the false-alarm count. */
  faStreams: number;
  /** False alarms per 10,000 each streaming detector's δ is calibrated to. */
  targetPer10k: number;
  log: (line: string) => void;
}

export interface ShiftResult {
  id: string;
  family: string;
  strength: string;
  label: string;
  poolSize: number;
  noFace: number;
  missing: number;
  verification: VerificationImpact | null;
  /** Per detector: detection rate at 5 % FPR for each size in SIZES. */
  batch: Record<BatchDetector, number[]>;
  /** Detection rate of windows of STRICT.n at STRICT.alpha false positives per window. */
  strict: Record<BatchDetector, number>;
  /** The shipped batchCheck (gate → MMD permutation test) on windows of STRICT.n: share confirmed. */
  shipped: number;
  /** Product rule detection rate per size (where the detector has a rule). */
  batchRule: Partial<Record<BatchDetector, number[]>>;
  /** Per statistic: delays at the calibrated δ and at River's δ (Infinity = not within horizon). */
  streaming: Record<Feature, { calibrated: number[]; river: number[] }>;
}

export interface ModelResult {
  model: string;
  dimension: number;
  referenceImages: number;
  nullImages: number;
  knnThreshold: number;
  cleanVerification: VerificationImpact & { pairs: number; genuine: number };
  /** The shipped batchCheck's false-positive rate on in-distribution windows of STRICT.n. */
  shippedFalsePositive: number;
  /** Null (in-distribution) false-positive rate of each product rule, per size. */
  ruleFalsePositive: Partial<Record<BatchDetector, number[]>>;
  streamingCalibration: Record<
    Feature,
    {
      delta: number;
      met: boolean;
      tried: { delta: number; falseAlarmsPer10k: number }[];
      heldOutPer10k: number;
      heldOutPer10kRiver: number;
    }
  >;
  shifts: ShiftResult[];
  seeds: Record<string, number>;
  settings: {
    nullReps: number;
    strictNullReps: number;
    shiftReps: number;
    shippedReps: number;
    shippedNullReps: number;
    streamReps: number;
    faUpdates: number;
    warmup: number;
    horizon: number;
  };
}

const MIN_POOL = 150;
const WARMUP = 2000;
const HORIZON = 5000;
const FA_LENGTH = 100_000;

export async function runExperiments(options: ExperimentOptions): Promise<ModelResult> {
  const { model, split, seed, log } = options;
  const seeds = {
    profile: seed,
    windows: seed + 1,
    streams: seed + 2,
    calibration: seed + 3,
    subgroup: seed + 4,
    shipped: seed + 5,
  };
  const clean = readCache(cacheFile(model, CLEAN, seed));
  const reference = poolFrom(clean, split.reference);
  const heldOut = poolFrom(clean, split.heldOut);
  if (reference.n < 100 || heldOut.n < 100) throw new Error(`${model}: clean embeddings not extracted yet`);
  const d = reference.d;
  log(`${model}: reference ${reference.n}, held-out ${heldOut.n}, d = ${d}`);

  // As the product fits a reference whose embeddings name their people (metadata `person`): the
  // MMD sample from half the people, the MMD window calibrated on the others.
  const people = new Map<string, number>();
  const groups = Int32Array.from(reference.images, (image) => {
    const person = personOf(image);
    if (!people.has(person)) people.set(person, people.size);
    return people.get(person) as number;
  });
  const profile = fitReferenceProfile(reference.x, reference.n, d, { seed: seeds.profile, groups });
  const refModel = referenceModel(profile, reference);
  const refFeatures = features(refModel, reference, true);
  const nullFeatures = features(refModel, heldOut);
  const sortedNn = Float64Array.from(refFeatures.nnDistance).sort();
  const knnThreshold = sortedNn[Math.floor(0.99 * (sortedNn.length - 1))] as number;
  const mmdSample = Float32Array.from(profile.mmd.sample);
  const tableFor = (pool: Pool) =>
    mmdTable(mmdSample, profile.mmd.sampleSize, pool.x, pool.n, d, profile.mmd.sigma);
  const context: BatchContext = {
    profile,
    referenceNn: refFeatures.nnDistance,
    knnThreshold,
  };

  // Streaming calibration: δ from the reference replay, validated on held-out people.
  const streamingCalibration = {} as ModelResult["streamingCalibration"];
  for (const f of FEATURES) {
    const c = calibrateAdwinDelta(refFeatures[f], {
      targetPer10k: options.targetPer10k,
      updates: 500_000,
      seed: seeds.calibration,
    });
    const fa = { streams: options.faStreams, length: FA_LENGTH, seed: seeds.streams };
    streamingCalibration[f] = {
      delta: c.delta,
      met: c.met,
      tried: c.tried,
      heldOutPer10k: falseAlarmsPer10k(nullFeatures[f], c.delta, fa),
      heldOutPer10kRiver: falseAlarmsPer10k(nullFeatures[f], RIVER_DELTA, fa),
    };
    log(`${model}: ADWIN on ${f}: δ = ${c.delta}, held-out ${streamingCalibration[f].heldOutPer10k}/10k`);
  }

  // Batch null: windows of held-out people.
  const nullTable = tableFor(heldOut);
  const nullScores = SIZES.map((n, s) =>
    windows(
      heldOut,
      nullFeatures,
      n,
      n === STRICT.n ? options.strictNullReps : options.nullReps,
      seeds.windows + s,
    ).map((w) => scoreWindow(context, w.x, w.nn, n, windowMmd2(nullTable, w.rows))),
  );
  const thresholds = nullScores.map((reps) =>
    Object.fromEntries(
      BATCH_DETECTORS.map((det) => [
        det,
        nullThreshold(
          reps.map((r) => r.scores[det]),
          0.05,
        ),
      ]),
    ),
  ) as Record<BatchDetector, number>[];
  const strictScores = nullScores[SIZES.indexOf(STRICT.n)] as BatchScores[];
  const strictThresholds = Object.fromEntries(
    BATCH_DETECTORS.map((det) => [
      det,
      nullThreshold(
        strictScores.map((r) => r.scores[det]),
        STRICT.alpha,
      ),
    ]),
  ) as Record<BatchDetector, number>;
  const shippedRate = (pool: Pool, f: FeatureValues, reps: number, seed: number) =>
    windows(pool, f, STRICT.n, reps, seed).filter((w, r) => shippedDecision(profile, w.x, STRICT.n, seed + r))
      .length / reps;
  const shippedFalsePositive = shippedRate(heldOut, nullFeatures, options.shippedNullReps, seeds.shipped);
  log(`${model}: shipped batch check, in-distribution false positives ${shippedFalsePositive}`);
  const ruleFalsePositive: ModelResult["ruleFalsePositive"] = {};
  for (const det of BATCH_DETECTORS) {
    if (nullScores[0]?.[0]?.decisions[det] === undefined) continue;
    ruleFalsePositive[det] = nullScores.map(
      (reps) => reps.filter((r) => r.decisions[det]).length / reps.length,
    );
  }
  log(`${model}: null windows scored`);

  // Pairs among the clean held-out photos that were extracted (all of them, once extraction is complete).
  const pairs = await pairsWithin([...heldOut.images, ...split.heldOut.filter((im) => clean.noFace.has(im))]);
  const cleanImpact = verificationImpact(pairs, clean);

  const shiftPools: {
    shift: Shift | PopulationShift;
    pool: Pool;
    verification: VerificationImpact | null;
  }[] = [];
  for (const shift of options.shifts) {
    const set = readCache(cacheFile(model, shift, seed));
    const pool = poolFrom(set, split.heldOut);
    const complete = pool.missing === 0;
    shiftPools.push({ shift, pool, verification: complete ? verificationImpact(pairs, set) : null });
  }
  for (const [share, strength] of [
    [0.5, "mild"],
    [0.25, "strong"],
  ] as const) {
    const people = subgroupPeople(heldOut, share, seeds.subgroup);
    shiftPools.push({
      shift: {
        id: `population-${strength}`,
        family: "population",
        strength,
        label: `only the ${share * 100} % of held-out people nearest one seeded person`,
      },
      pool: subPool(heldOut, (im) => people.has(personOf(im))),
      verification: null,
    });
  }

  const shifts: ShiftResult[] = [];
  for (const [index, { shift, pool, verification }] of shiftPools.entries()) {
    const base = {
      id: shift.id,
      family: shift.family,
      strength: shift.strength,
      label: shift.label,
      poolSize: pool.n,
      noFace: pool.noFace,
      missing: pool.missing,
      verification,
    };
    // A set cut short by the extraction deadline is still analysed from its first MIN_POOL faces
    // (reported as partial); its verification row needs every pair, so it has none.
    if (pool.n < MIN_POOL) {
      shifts.push({
        ...base,
        batch: {} as ShiftResult["batch"],
        strict: {} as ShiftResult["strict"],
        shipped: Number.NaN,
        batchRule: {},
        streaming: {} as ShiftResult["streaming"],
      });
      log(`${model}: ${shift.id} not (fully) extracted, skipped`);
      continue;
    }
    const shiftFeatures = features(refModel, pool);
    const table = tableFor(pool);
    const perSize = SIZES.map((n, s) =>
      windows(pool, shiftFeatures, n, options.shiftReps, seeds.windows + 1000 * (index + 1) + s).map((w) =>
        scoreWindow(context, w.x, w.nn, n, windowMmd2(table, w.rows)),
      ),
    );
    const batch = Object.fromEntries(
      BATCH_DETECTORS.map((det) => [
        det,
        perSize.map((reps, s) =>
          rateAbove(
            reps.map((r) => r.scores[det]),
            (thresholds[s] as Record<BatchDetector, number>)[det],
          ),
        ),
      ]),
    ) as ShiftResult["batch"];
    const strictWindows = perSize[SIZES.indexOf(STRICT.n)] as BatchScores[];
    const strict = Object.fromEntries(
      BATCH_DETECTORS.map((det) => [
        det,
        rateAbove(
          strictWindows.map((r) => r.scores[det]),
          strictThresholds[det],
        ),
      ]),
    ) as ShiftResult["strict"];
    const batchRule: ShiftResult["batchRule"] = {};
    for (const det of Object.keys(ruleFalsePositive) as BatchDetector[]) {
      batchRule[det] = perSize.map((reps) => reps.filter((r) => r.decisions[det]).length / reps.length);
    }
    const streaming = Object.fromEntries(
      FEATURES.map((f) => {
        const run = (delta: number) =>
          shiftDelays(nullFeatures[f], shiftFeatures[f], delta, {
            warmup: WARMUP,
            horizon: HORIZON,
            reps: options.streamReps,
            seed: seeds.streams + 1000 * (index + 1),
          });
        return [f, { calibrated: run(streamingCalibration[f].delta), river: run(RIVER_DELTA) }];
      }),
    ) as ShiftResult["streaming"];
    const shipped = shippedRate(pool, shiftFeatures, options.shippedReps, seeds.shipped + 1000 * (index + 1));
    shifts.push({ ...base, batch, strict, shipped, batchRule, streaming });
    const pc1 = detectedWithin(streaming.pc1.calibrated, 1000);
    log(
      `${model}: ${shift.id}: KS-BH@1000 ${batch.ksBh[6]}, PC1-ADWIN within 1000 ${pc1}, median ${medianDelay(streaming.nnDistance.calibrated)}`,
    );
  }

  return {
    model,
    dimension: d,
    referenceImages: reference.n,
    nullImages: heldOut.n,
    knnThreshold,
    cleanVerification: {
      ...cleanImpact,
      pairs: pairs.labels.length,
      genuine: pairs.labels.filter((l) => l === 1).length,
    },
    ruleFalsePositive,
    shippedFalsePositive,
    streamingCalibration,
    shifts,
    seeds,
    settings: {
      nullReps: options.nullReps,
      strictNullReps: options.strictNullReps,
      shippedReps: options.shippedReps,
      shippedNullReps: options.shippedNullReps,
      shiftReps: options.shiftReps,
      streamReps: options.streamReps,
      faUpdates: options.faStreams * FA_LENGTH,
      warmup: WARMUP,
      horizon: HORIZON,
    },
  };
}

interface PopulationShift {
  id: string;
  family: string;
  strength: string;
  label: string;
}

/** `reps` windows of n rows resampled with replacement from `pool`, with their NN distances. */
function windows(pool: Pool, f: FeatureValues, n: number, reps: number, seed: number) {
  const rng = seededRng(seed);
  return Array.from({ length: reps }, () => {
    const x = new Float32Array(n * pool.d);
    const nn = new Float64Array(n);
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const row = Math.floor(rng() * pool.n);
      rows[i] = row;
      x.set(pool.x.subarray(row * pool.d, (row + 1) * pool.d), i * pool.d);
      nn[i] = f.nnDistance[row] as number;
    }
    return { x, nn, rows };
  });
}
