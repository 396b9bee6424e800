/**
 * numpy's default (`method="linear"`) quantile of an ascending array: virtual index (n−1)·q,
 * linear interpolation between its neighbours, using numpy's two-sided lerp
 * (`a + (b−a)·t` below t = 0.5, `b − (b−a)·(1−t)` from 0.5 up) so edges match numpy to the bit.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError("quantile of an empty sample");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const virtual = (n - 1) * q;
  const below = Math.floor(virtual);
  const above = Math.min(below + 1, n - 1);
  const t = virtual - below;
  const a = sorted[below] as number;
  const b = sorted[above] as number;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
