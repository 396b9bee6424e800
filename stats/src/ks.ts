/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, reproducing `scipy.stats.ks_2samp` of scipy 1.10
 * (`scipy/stats/_stats_py.py`: `ks_2samp`, `_attempt_exact_2kssamp`,
 * `_compute_prob_outside_square`; `scipy/stats/_stats_pythran.py`:
 * `_compute_outer_prob_inside_method`), including its choice between methods and its fallback.
 *
 * @module
 */
import { kolmogorovSf } from "./kolmogorov.ts";

export type KsMethod = "exact" | "asymp";

export interface KsOptions {
  /** "auto" (default) is exact when max(n1, n2) ≤ 10 000, as in scipy. */
  method?: KsMethod | "auto";
}

export interface KsResult {
  /** D = max |ECDF1 − ECDF2|; with the exact method, rounded to h/lcm(n1, n2) as scipy does. */
  statistic: number;
  pvalue: number;
  /** The method that produced the p-value (exact falls back to asymp where scipy does). */
  method: KsMethod;
}

/** scipy's MAX_AUTO_N: "auto" attempts the exact distribution up to this sample size. */
const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/**
 * Two-sided two-sample KS test. Ties are handled in the statistic (ECDFs are right-continuous);
 * the exact p-value assumes continuous data, as scipy's does.
 *
 * @example
 * ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6, 7]); // { statistic: 0.6, pvalue: 0.2857142857142857, method: "exact" }
 */
export function ksTwoSample(
  sample1: ArrayLike<number>,
  sample2: ArrayLike<number>,
  options: KsOptions = {},
): KsResult {
  const requested = options.method ?? "auto";
  if (requested !== "auto" && requested !== "exact" && requested !== "asymp") {
    throw new RangeError(`method must be "exact", "asymp" or "auto", got ${String(requested)}`);
  }
  const sorted1 = sortedCopy(sample1, "sample1");
  const sorted2 = sortedCopy(sample2, "sample2");
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let d = ksStatisticSorted(sorted1, sorted2);

  const g = gcd(n1, n2);
  let method: KsMethod;
  if (requested === "auto") method = Math.max(n1, n2) <= MAX_AUTO_N ? "exact" : "asymp";
  else if (requested === "exact" && n1 / g >= INT32_MAX / (n2 / g))
    method = "asymp"; // lcm too big
  else method = requested;

  if (method === "exact") {
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pvalue: 1, method };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    // scipy gives up on an exact result outside [0, 1] and falls back, keeping the rounded D.
    if (p >= 0 && p <= 1) return { statistic: d, pvalue: p, method };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  // scipy 1.10's "asymp" is the exact one-sample distribution at n = round(en), not its limit.
  // With n1 = n2 = 1, round(0.5) = 0 and kstwo is undefined: scipy returns NaN, and so do we.
  const size = roundHalfEven(en);
  const p = size === 0 ? Number.NaN : kolmogorovSf(size, d);
  return { statistic: d, pvalue: Number.isNaN(p) ? p : Math.min(1, Math.max(0, p)), method: "asymp" };
}

/**
 * D = max over the pooled points z of |F1(z) − F2(z)| for two ascending-sorted samples, where
 * F(z) counts the values ≤ z (numpy `searchsorted(side="right")`). One merge pass: O(n1 + n2).
 *
 * @example
 * ksStatisticSorted(Float64Array.of(1, 2, 2), Float64Array.of(2, 3)); // 0.5, at z = 2: |3/3 − 1/2|
 */
export function ksStatisticSorted(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const a = sorted1[i] as number;
    const b = sorted2[j] as number;
    const z = Math.min(a, b);
    // Consume every copy of z in both samples before comparing: that is what makes ties right.
    while (i < n1 && (sorted1[i] as number) <= z) i++;
    while (j < n2 && (sorted2[j] as number) <= z) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  // Past the end of either sample the remaining differences only shrink towards 0.
  return d;
}

/**
 * Pr(D_{n,n} ≥ h/n) = 2 Σ_{k≥1} (−1)^{k−1} C(2n, n−kh)/C(2n, n), with each ratio formed as a
 * product and the alternating sum in Horner form to avoid cancellation (scipy
 * `_compute_prob_outside_square`).
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * Pr(D_{m,n} ≥ h/lcm(m,n)) by counting lattice paths from (0,0) to (m,n) that stay strictly
 * inside |x/m − y/n| < h/lcm (Hodges 1958, Ark. Mat. 3(43)), with Viehmann's recursion
 * (arXiv:2102.08037) that carries 1 − p directly in each column (scipy
 * `_compute_outer_prob_inside_method`). Only a sliding window of one column is kept.
 */
function probOutsideBand(n1: number, n2: number, g: number, h: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const a = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((a[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1] as number;
}

function sortedCopy(sample: ArrayLike<number>, name: string): Float64Array {
  if (sample.length === 0) throw new RangeError(`${name} is empty`);
  const out = new Float64Array(sample.length);
  for (let i = 0; i < sample.length; i++) {
    const v = sample[i] as number;
    if (Number.isNaN(v)) throw new RangeError(`${name}[${i}] is NaN`);
    out[i] = v;
  }
  return out.sort();
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** numpy's `round`: ties go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const frac = x - f;
  if (frac < 0.5) return f;
  if (frac > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
