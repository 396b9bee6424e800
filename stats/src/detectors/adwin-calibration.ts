/**
 * Chooses ADWIN's δ for a target false-alarm rate by replaying the reference: values resampled
 * with replacement from the reference (an in-distribution stream with no change in it) are fed to
 * ADWIN at each candidate δ, largest first, and the largest δ whose replay stays within the
 * target is kept. Larger δ means faster detection, so the largest acceptable one is the best.
 *
 * The false-alarm rate at a given δ depends on the shape of the statistic's distribution, so the
 * product states a target rate and lets the reference choose δ (docs/detection-quality.md).
 *
 * @example
 * ```ts
 * const reference = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i));
 * calibrateAdwinDelta(reference, { targetPer10k: 0.1, updates: 200_000, seed: 1 }).delta;
 * ```
 */
import { Adwin, type AdwinParams } from "../adwin.ts";
import { seededRng } from "../numeric/random.ts";

/**
 * Candidate δ, largest (fastest, noisiest) first. The grid starts at River's default 0.002: on the
 * i.i.d. replay even δ = 0.2 raises no false alarm on face embeddings, but a live stream is
 * autocorrelated (one person stays in front of the camera for many frames), which the replay
 * cannot show, so calibration only ever makes ADWIN stricter than River's default.
 */
export const ADWIN_DELTA_GRID: readonly number[] = [2e-3, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8];

export interface AdwinCalibrationOptions {
  /** Largest acceptable false alarms per 10,000 replayed updates (0.1 = one per 100,000). */
  targetPer10k: number;
  /** Replayed updates per candidate (default 200,000). */
  updates?: number;
  seed?: number;
  grid?: readonly number[];
  adwin?: Partial<Omit<AdwinParams, "delta">>;
}

export interface AdwinCalibration {
  /** The chosen δ; the smallest candidate when none met the target (`met` is then false). */
  delta: number;
  met: boolean;
  updates: number;
  /** False alarms per 10,000 replayed updates at each candidate tried, in grid order. */
  tried: { delta: number; falseAlarmsPer10k: number }[];
}

/** Replays `reference` (resampled, seeded) through ADWIN and counts detections. */
export function replayFalseAlarms(
  reference: ArrayLike<number>,
  params: Partial<AdwinParams>,
  updates: number,
  seed: number,
): number {
  if (reference.length === 0) throw new RangeError("the reference is empty");
  const rng = seededRng(seed);
  const detector = new Adwin(params);
  let alarms = 0;
  for (let i = 0; i < updates; i++) {
    if (detector.update(reference[Math.floor(rng() * reference.length)] as number)) alarms++;
  }
  return alarms;
}

export function calibrateAdwinDelta(
  reference: ArrayLike<number>,
  options: AdwinCalibrationOptions,
): AdwinCalibration {
  const updates = options.updates ?? 200_000;
  const grid = options.grid ?? ADWIN_DELTA_GRID;
  if (grid.length === 0) throw new RangeError("the δ grid is empty");
  const tried: AdwinCalibration["tried"] = [];
  for (const delta of grid) {
    // The same replayed stream for every δ, so the comparison between candidates is paired.
    const alarms = replayFalseAlarms(reference, { ...options.adwin, delta }, updates, options.seed ?? 0);
    const falseAlarmsPer10k = (alarms * 1e4) / updates;
    tried.push({ delta, falseAlarmsPer10k });
    if (falseAlarmsPer10k <= options.targetPer10k) return { delta, met: true, updates, tried };
  }
  return { delta: grid[grid.length - 1] as number, met: false, updates, tried };
}
