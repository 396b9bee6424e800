/**
 * @module
 * Two samples binned on shared edges, as proportions, so a reference and a recent window can be
 * drawn over each other whatever their sizes.
 */

export interface Overlay {
  /** Bin centres. */
  centres: number[];
  /** Bin width (all bins are equal). */
  width: number;
  /** Share of each sample in each bin (each sums to 1; all zero for an empty sample). */
  first: number[];
  second: number[];
}

export function overlayHistogram(first: readonly number[], second: readonly number[], bins = 30): Overlay {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const sample of [first, second]) {
    for (const value of sample) {
      if (!Number.isFinite(value)) continue;
      if (value < lo) lo = value;
      if (value > hi) hi = value;
    }
  }
  if (!Number.isFinite(lo)) return { centres: [], width: 0, first: [], second: [] };
  // One value everywhere: a single bin of width 1 around it.
  const width = hi > lo ? (hi - lo) / bins : 1;
  const count = hi > lo ? bins : 1;
  const shares = (sample: readonly number[]) => {
    const counts = new Array<number>(count).fill(0);
    let n = 0;
    for (const value of sample) {
      if (!Number.isFinite(value)) continue;
      // The top edge belongs to the last bin.
      const bin = Math.min(count - 1, Math.floor((value - lo) / width));
      counts[bin] = (counts[bin] as number) + 1;
      n++;
    }
    return counts.map((c) => (n === 0 ? 0 : c / n));
  };
  const start = hi > lo ? lo : lo - 0.5;
  return {
    centres: Array.from({ length: count }, (_, i) => start + (i + 0.5) * width),
    width,
    first: shares(first),
    second: shares(second),
  };
}
