import { check } from "../validate.ts";

/** numpy searchsorted(edges, x, side='right') on edges[from, from+m): the first edge with x < e. */
function binOf(x: number, edges: Float64Array, from: number, m: number): number {
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // `x < e` is false for NaN, which therefore lands in the last bin, as in numpy.
    if (x < (edges[from + mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Plain TypeScript `histogram` (binary search per value). */
export function histogram(values: Float64Array, interiorEdges: Float64Array): Int32Array {
  check.histogram(values, interiorEdges);
  const m = interiorEdges.length;
  const counts = new Int32Array(m + 1);
  for (const x of values) {
    const bin = binOf(x, interiorEdges, 0, m);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

/** Plain TypeScript `histogramColumns`. */
export function histogramColumns(
  values: Float64Array,
  n: number,
  k: number,
  interiorEdges: Float64Array,
  m: number,
): Int32Array {
  check.histogramColumns(values, n, k, interiorEdges, m);
  const counts = new Int32Array(k * (m + 1));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const at = c * (m + 1) + binOf(values[i * k + c] as number, interiorEdges, c * m, m);
      counts[at] = (counts[at] as number) + 1;
    }
  }
  return counts;
}
