/**
 * The two-sided one-sample Kolmogorov distribution of D_n = sup_t |F_n(t) − F(t)|, and its limit.
 *
 * Ported from scipy 1.10 so that `ks.ts` reproduces `scipy.stats.kstwo.sf` and `kstwobign.sf`:
 * the dispatch follows `scipy/stats/_ksstats.py` (`_kolmogn`, after Simard & L'Ecuyer 2011,
 * J. Stat. Softw. 39(11)); the one-sided Smirnov sum and the limiting series follow
 * `scipy/special/cephes/kolmogorov.c` (van Mulbregt, arXiv:1802.06966 and 1803.00426).
 * Methods: Ruben–Gambino closed forms at the ends, the Durbin matrix in the
 * Marsaglia–Tsang–Wang form, the Pomeranz recursion, the Pelz–Good asymptotic, and
 * 2·Smirnov where the two one-sided events cannot both happen (or are negligible together).
 *
 * @module
 */

const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
/** exp() of anything below this underflows (cephes MINLOG, log 2^-1075). */
const MINLOG = -745.1332191019412;
/** B_{2j}/(2j)/(2j−1) for j = 8..1: Stirling's series for log(n!/n^n). */
const STIRLING = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];

const clip01 = (p: number): number => Math.max(0, Math.min(p, 1));

/**
 * Pr(D_n ≤ x), the exact finite-n Kolmogorov CDF (scipy `kstwo.cdf(x, n)`).
 *
 * @example
 * kolmogorovCdf(10, 0.274); // 0.6284796154565043, as scipy's kstwo.cdf(0.274, 10)
 */
export function kolmogorovCdf(n: number, x: number): number {
  return kolmogn(n, x, true);
}

/**
 * Pr(D_n > x), the exact finite-n Kolmogorov survival function (scipy `kstwo.sf(x, n)`),
 * accurate in the upper tail (it is not computed as 1 − CDF there).
 *
 * @example
 * kolmogorovSf(500, 0.103); // ≈ 4.5167e-5: scipy 1.10's ks_2samp "asymp" p for D = 0.103, en = 500
 */
export function kolmogorovSf(n: number, x: number): number {
  return kolmogn(n, x, false);
}

/**
 * The limiting survival function Q_KS(t) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²t²} = Pr(√n·D_n > t) as
 * n → ∞ (scipy `kstwobign.sf`, cephes `kolmogorov`). Below t = 0.82 the Jacobi-theta form
 * 1 − (√(2π)/t) Σ e^{−(2k−1)²π²/(8t²)} converges faster, so it is used there.
 *
 * @example
 * kolmogorovLimitSf(1); // 0.26999967167735456 (scipy: the same)
 */
export function kolmogorovLimitSf(t: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  // t ≤ π/√(8·746): the first theta term is below the smallest double, so the CDF is 0.
  if (t <= Math.PI / Math.sqrt(746 * 8)) return 1;
  if (t <= 0.82) {
    const logu8 = -PI2 / (t * t);
    const u = Math.exp(logu8 / 8);
    const w = SQRT2PI / t;
    if (u === 0) return clip01(1 - Math.exp(logu8 / 8 + Math.log(w)));
    const u8 = Math.exp(logu8);
    // w·u·(1 + u^8 + u^24 + u^48), unrolled as cephes does (later terms are below epsilon).
    let p = 1 + u8 ** 3;
    p = 1 + u8 * u8 * p;
    p = 1 + u8 * p;
    return clip01(1 - w * u * p);
  }
  const v = Math.exp(-2 * t * t);
  const v3 = v ** 3;
  // 2v(1 − v³(1 − v⁵(1 − v⁷))): four terms reach epsilon once t > 0.82.
  let p = 1 - v3 * v3 * v;
  p = 1 - v3 * v * v * p;
  p = 1 - v3 * p;
  return clip01(2 * v * p);
}

/** scipy `_ksstats._kolmogn`: choose the method by n, x and n·x² (Simard & L'Ecuyer). */
function kolmogn(n: number, x: number, cdf: boolean): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (Number.isNaN(x)) return Number.NaN;
  const pick = (pCdf: number, pSf: number): number => clip01(cdf ? pCdf : pSf);
  if (x >= 1) return pick(1, 0);
  if (x <= 0) return pick(0, 1);
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: Pr(D_n ≤ x) = n!/n^n (2t − 1)^n for 1/(2n) ≤ x ≤ 1/n.
    if (t <= 0.5) return pick(0, 1);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return pick(prob, 1 - prob);
  }
  if (t >= n - 1) {
    const prob = 2 * (1 - x) ** n; // Ruben–Gambino upper end
    return pick(1 - prob, prob);
  }
  if (x >= 0.5) {
    // D+ > x and D− > x are disjoint when x ≥ 1/2, so the SF is exactly twice Smirnov's.
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob);
  }
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) {
      const prob = durbinCdf(n, x);
      return pick(prob, 1 - prob);
    }
    if (nxSquared <= 4) {
      const prob = pomeranzCdf(n, x);
      return pick(prob, 1 - prob);
    }
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob);
  }
  // The SF and CDF have different cut-offs: in the tail the intersection term is negligible.
  if (!cdf) {
    if (nxSquared >= 370) return 0;
    if (nxSquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  }
  let cdfProb: number;
  if (nxSquared >= 18) cdfProb = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfProb = durbinCdf(n, x);
  else cdfProb = pelzGoodCdf(n, x);
  return pick(cdfProb, 1 - cdfProb);
}

/** log(n!/n^n) by Stirling's series with n·log n removed up front (no cancellation). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * Durbin's matrix formula Pr(D_n < d) = n!/n^n (H^n)_{kk}, k = ⌈nd⌉, in the Marsaglia–Tsang–Wang
 * form (J. Stat. Softw. 8(18), 2003): H is (2k−1)², raised by repeated squaring with the
 * power of two kept aside so that nothing overflows (scipy `_kolmogn_DMTW`).
 */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  v[m - 1] = (1 + (Math.max(2 * h - 1, 0) ** m - 2 * h ** m)) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1] ?? 0;
  for (let r = 0; r < m; r++) H[r * m] = v[r] ?? 0;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] ?? 0;

  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let exponent = 0;
  let hExponent = 0;
  const kk = (k - 1) * m + (k - 1);
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2) {
      power = matmul(power, H, m);
      exponent += hExponent;
    }
    H = matmul(H, H, m);
    hExponent *= 2;
    if (Math.abs(H[kk] ?? 0) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] ?? 0) / EP128;
      hExponent += 128;
    }
  }
  let p = power[kk] ?? 0;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      exponent -= 128;
    }
  }
  return clip01(p * 2 ** exponent);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l] ?? 0;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] = (c[i * m + j] ?? 0) + ail * (b[l * m + j] ?? 0);
    }
  }
  return c;
}

/** Row i's window of possibly non-zero entries in the Pomeranz recursion (scipy `_pomeranz_compute_j1j2`). */
function pomeranzWindow(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/**
 * Pomeranz's recursion (CACM 17(12), 1974, Algorithm 487) for Pr(D_n ≤ x): each row is the
 * previous one convolved with truncated Poisson weights; only a sliding window is non-zero
 * (scipy `_kolmogn_Pomeranz`).
 */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const size = 2 * (ll + 1);
  const gPow = new Float64Array(size); // (g/n)^m/m!
  const twoGPow = new Float64Array(size); // (2g/n)^m/m!
  const oneMinusTwoGPow = new Float64Array(size); // ((1−2g)/n)^m/m!
  gPow[0] = twoGPow[0] = oneMinusTwoGPow[0] = 1;
  for (let j = 1; j < size; j++) {
    gPow[j] = ((gPow[j - 1] ?? 0) * (g / n)) / j;
    twoGPow[j] = ((twoGPow[j - 1] ?? 0) * ((2 * g) / n)) / j;
    oneMinusTwoGPow[j] = ((oneMinusTwoGPow[j - 1] ?? 0) * ((1 - 2 * g) / n)) / j;
  }
  let v0 = new Float64Array(size);
  let v1 = new Float64Array(size);
  v1[0] = 1;
  let v0Start = 0;
  let v1Start = 0;
  let exponent = 0;
  let [j1, j2] = pomeranzWindow(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0Start, v1Start] = [v1Start, v0Start];
    v1.fill(0);
    [j1, j2] = pomeranzWindow(i, n, ll, ceilf, roundf);
    const weights = i === 1 || i === 2 * n + 1 ? gPow : i % 2 ? twoGPow : oneMinusTwoGPow;
    const len = j2 - k1 + 1;
    if (len <= 0) continue;
    const from = k1 - v0Start;
    const avail = Math.min(len, size - from);
    const convStart = j1 - k1;
    let max = 0;
    for (let out = 0; out < j2 - j1 + 1; out++) {
      const c = convStart + out; // index into the full convolution of v0[from..] with weights[0..len)
      let s = 0;
      for (let a = Math.max(0, c - len + 1); a <= Math.min(avail - 1, c); a++) {
        s += (v0[from + a] ?? 0) * (weights[c - a] ?? 0);
      }
      v1[out] = s;
      if (s > max) max = s;
    }
    if (max > 0 && max < EM128) {
      for (let j = 0; j < size; j++) v1[j] = (v1[j] ?? 0) * EP128;
      exponent -= 128;
    }
    v1Start = v0Start + j1 - k1;
  }
  let ans = v1[n - v1Start] ?? 0;
  for (let j = 1; j <= n; j++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      exponent += 128;
    }
    ans *= j;
  }
  return clip01(ans * 2 ** exponent);
}

/**
 * Pelz & Good (JRSS B 38(2), 1976): the Li-Chien/Korolyuk expansion K0 + K1/√n + K2/n + K3/n^1.5
 * rewritten with Jacobi-theta identities so it converges for small z = x√n (scipy `_kolmogn_PelzGood`).
 */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  const q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  let K0 = 0;
  let K1 = 0;
  let K2 = 0;
  let K3 = 0;
  // Horner in q^8k over odd m = 2k−1: Σ c(m) q^(m²).
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qp = q ** (8 * k);
    K0 = K0 * qp + 1;
    K1 = K1 * qp + (k1a + k1b * m2);
    K2 = K2 * qp + (k2a + k2b * m2 + k2c * m4);
    K3 = K3 * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const scale = q * SQRT2PI;
  K0 = (K0 * scale) / z;
  K1 = (K1 * scale) / (6 * z4);
  K2 = (K2 * scale) / (72 * z ** 7);
  K3 = (K3 * scale) / (6480 * z ** 10);
  // The remaining K2, K3 terms run over all integers k with weight q'^(k²), q' = e^(−π²/(2z²)).
  const qq = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qk = qq ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K2 += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K3 += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  const sum = K0 + K1 / Math.sqrt(n) + K2 / n + K3 / n ** 1.5;
  return sum;
}

/**
 * Smirnov's one-sided Pr(D_n^+ > x) by the Birnbaum–Tingey sum
 * x Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v) (cephes `smirnov`).
 * Only the positive lower sum is needed: `kolmogn` calls this with x ≥ 1/2 or n·x² > 2.2, where
 * cephes never picks its alternating upper sum. Terms are formed in logs (the binomial alone
 * overflows) and from the exact split n·x = ⌊n·x⌋ + α, as cephes does in double-double.
 */
function smirnovSf(n: number, x: number): number {
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  let [nxFloor, alpha] = splitProduct(n, x);
  if (alpha === 1) {
    nxFloor += 1;
    alpha = 0;
  }
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) return clip01(1 - x * (1 + x) ** (n - 1));
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxFloor >= n - 1) return clip01((1 - x) ** n);
  if (n > 1000000) {
    // cephes's shortcut for huge n: Pr ≈ exp(−(6nx + 1)²/(18n)).
    return clip01(Math.exp(-((6 * n * x + 1) ** 2) / 18 / n));
  }
  // Last v: ⌊n(1−x)⌋, excluding the boundary term (which is 0) when n·x is an integer.
  const lastV = n - nxFloor - 1;
  const vmid = Math.floor(n / 2);
  let logBinomial = 0;
  let sum = 0;
  for (let v = 0; v <= lastV; v++) {
    // 1 − x − v/n = (n − ⌊nx⌋ − v − α)/n and x + v/n = (⌊nx⌋ + v + α)/n, without cancellation.
    const below = (n - nxFloor - v - alpha) / n;
    const above = (nxFloor + v + alpha) / n;
    const logTerm = logBinomial + (n - v) * Math.log(below) + (v - 1) * Math.log(above);
    const term = Math.exp(logTerm);
    sum += term;
    if (term !== 0) {
      if (4 * (lastV + 1 - v) * term < Number.EPSILON * sum && v !== lastV) break;
    } else if (v > vmid) break;
    logBinomial += Math.log((n - v) / (v + 1));
  }
  return clip01(x * sum);
}

/** ⌊n·x⌋ and the fraction n·x − ⌊n·x⌋, exact via Dekker's two-product (cephes uses double-double). */
function splitProduct(n: number, x: number): [number, number] {
  const hi = n * x;
  const lo = twoProductError(n, x, hi);
  let floor = Math.floor(hi);
  if (floor === hi && lo < 0) floor -= 1;
  return [floor, hi - floor + lo];
}

function twoProductError(a: number, b: number, p: number): number {
  const split = (v: number): [number, number] => {
    const c = 134217729 * v; // 2^27 + 1 (Veltkamp)
    const high = c - (c - v);
    return [high, v - high];
  };
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return ah * bh - p + ah * bl + al * bh + al * bl;
}
