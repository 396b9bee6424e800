/**
 * @module
 * The geometry of the small history charts: a time axis over the runs and a value axis padded
 * around the values (and the threshold, when one is drawn), mapped to SVG coordinates.
 */

export interface Point {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Left margin for the value labels, bottom margin for the dates. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export interface Scales {
  x: (t: number) => number;
  y: (v: number) => number;
  domain: { min: number; max: number };
  /** Up to five rounded values to label on the value axis. */
  ticks: number[];
}

/**
 * A value domain that shows differences: AUCs of 0.991 and 0.993 on a 0–1 axis are one line.
 * Padded by 10 % of the span (or ±0.005 around a single value), clamped to `clamp`.
 */
export function scales(
  points: readonly Point[],
  box: ChartBox,
  extra: number[] = [],
  clamp = { min: 0, max: 1 },
): Scales {
  const values = [...points.map((p) => p.v), ...extra];
  let min = Math.min(...values);
  let max = Math.max(...values);
  const pad = max > min ? (max - min) * 0.1 : 0.005;
  min = Math.max(clamp.min, min - pad);
  max = Math.min(clamp.max, max + pad);
  if (max <= min) max = min + 1e-6;
  const times = points.map((p) => p.t);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  return {
    // A single run sits in the middle rather than on the axis.
    x: (t) => box.left + (t1 > t0 ? ((t - t0) / (t1 - t0)) * plotWidth : plotWidth / 2),
    y: (v) => box.top + (1 - (v - min) / (max - min)) * plotHeight,
    domain: { min, max },
    ticks: niceTicks(min, max),
  };
}

function niceTicks(min: number, max: number): number[] {
  const raw = (max - min) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toFixed(12)));
  }
  return ticks;
}
