/**
 * @module
 * Streaming experiments on one per-embedding statistic: ADWIN's false alarms on long
 * in-distribution streams, and its delay after an abrupt shift. Streams are seeded resamples (with
 * replacement) of the cached pools' statistic values; a pool holds a few hundred distinct faces,
 * so a 100,000-long stream repeats each face many times (stated in the report).
 */
import { Adwin, seededRng } from "@facedrift/stats";

/** Detections of ADWIN(δ) over `streams` resampled streams of `length` values, per 10,000 updates. */
export function falseAlarmsPer10k(
  values: ArrayLike<number>,
  delta: number,
  options: { streams: number; length: number; seed: number },
): number {
  const rng = seededRng(options.seed);
  let alarms = 0;
  for (let s = 0; s < options.streams; s++) {
    const adwin = new Adwin({ delta });
    for (let i = 0; i < options.length; i++) {
      if (adwin.update(values[Math.floor(rng() * values.length)] as number)) alarms++;
    }
  }
  return (alarms * 1e4) / (options.streams * options.length);
}

export interface DelayOptions {
  /** In-distribution values before the shift. */
  warmup: number;
  /** Shifted values after it (the longest delay that can be observed). */
  horizon: number;
  reps: number;
  seed: number;
}

/**
 * Embeddings between an abrupt shift and ADWIN's first detection at or after it, per replicate
 * (Infinity when none within the horizon). A detection during the warm-up is a false alarm and is
 * not counted as catching the shift.
 */
export function shiftDelays(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  delta: number,
  options: DelayOptions,
): number[] {
  const delays: number[] = [];
  for (let r = 0; r < options.reps; r++) {
    // One seed per replicate: every statistic's replicate r then follows the same embeddings,
    // whenever each stops, so "caught by any of them" is a union over identical streams.
    const rng = seededRng(options.seed + 7919 * r);
    const adwin = new Adwin({ delta });
    for (let i = 0; i < options.warmup; i++)
      adwin.update(before[Math.floor(rng() * before.length)] as number);
    let delay = Number.POSITIVE_INFINITY;
    for (let i = 0; i < options.horizon; i++) {
      if (adwin.update(after[Math.floor(rng() * after.length)] as number)) {
        delay = i + 1;
        break;
      }
    }
    delays.push(delay);
  }
  return delays;
}

/** Share of delays ≤ n: the detection rate "within n embeddings". */
export function detectedWithin(delays: readonly number[], n: number): number {
  return delays.filter((d) => d <= n).length / delays.length;
}

/** Median of the delays (Infinity when fewer than half detected). */
export function medianDelay(delays: readonly number[]): number {
  const sorted = [...delays].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}
