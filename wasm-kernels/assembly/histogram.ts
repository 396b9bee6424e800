// Bin index = numpy searchsorted(edges, x, side='right') = the number of edges e with !(x < e).
// Written as !(x < e) rather than e <= x so that NaN lands in the last bin, as numpy sorts it.

/** Linear SIMD count for the usual handful of edges (deciles: 9); binary search beyond. */
const LINEAR_LIMIT = 32;

function binOf(x: f64, edges: usize, m: i32): i32 {
  if (m <= LINEAR_LIMIT) {
    const xs = f64x2.splat(x);
    // Lanes are all-ones (−1 as i64) where x < e, so the sum is minus the count of those edges.
    let below = i64x2.splat(0);
    let e = 0;
    for (; e + 1 < m; e += 2) {
      below = i64x2.add(below, f64x2.lt(xs, v128.load(edges + ((<usize>e) << 3))));
    }
    let bin = m + <i32>(i64x2.extract_lane(below, 0) + i64x2.extract_lane(below, 1));
    if (e < m && x < load<f64>(edges + ((<usize>e) << 3))) bin--;
    return bin;
  }
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < load<f64>(edges + ((<usize>mid) << 3))) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** counts[b] (m+1 i32) += how many of the n values fall in bin b of the m sorted interior edges. */
export function histogram(values: usize, n: i32, edges: usize, m: i32, counts: usize): void {
  for (let i = 0; i < n; i++) {
    const c = counts + ((<usize>binOf(load<f64>(values + ((<usize>i) << 3)), edges, m)) << 2);
    store<i32>(c, load<i32>(c) + 1);
  }
}

/**
 * One histogram per column of values (n×k row-major); edges is k×m (m sorted interior edges
 * per column) and counts (k×(m+1)) is added to.
 */
export function histogramColumns(values: usize, n: i32, k: i32, edges: usize, m: i32, counts: usize): void {
  for (let i = 0; i < n; i++) {
    const row = values + ((<usize>i * <usize>k) << 3);
    for (let c = 0; c < k; c++) {
      const x = load<f64>(row + ((<usize>c) << 3));
      const bin = binOf(x, edges + ((<usize>c * <usize>m) << 3), m);
      const p = counts + ((<usize>c * <usize>(m + 1) + <usize>bin) << 2);
      store<i32>(p, load<i32>(p) + 1);
    }
  }
}
