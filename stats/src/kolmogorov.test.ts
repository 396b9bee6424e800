import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kolmogorovCdf, kolmogorovLimitSf, kolmogorovSf } from "./kolmogorov.ts";
import { oraclePath } from "./testing/oracles.ts";

/** |a − b| ≤ rel·|b|, or ≤ abs when b is below `floor` (the oracle's tolerance rule). */
function expectClose(actual: number, expected: number, rel = 1e-6, abs = 1e-12, floor = 1e-6): void {
  const tol = Math.abs(expected) < floor ? abs : rel * Math.abs(expected);
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

/**
 * Durbin's formula Pr(D_n < d) = n!/n^n (H^n)_{kk} evaluated the plain way: n multiplications,
 * no scaling, no repeated squaring. Every entry of H is ≥ 0, so double precision is accurate
 * while n^n/n! fits (n ≤ 140 here). An independent check of every method the module picks.
 */
function durbinPlain(n: number, d: number): number {
  const k = Math.ceil(n * d);
  const h = k - n * d;
  const m = 2 * k - 1;
  const H: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const fact = (j: number): number => (j <= 1 ? 1 : j * fact(j - 1));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) if (i - j + 1 >= 0) H[i]![j] = 1 / fact(i - j + 1);
  }
  for (let i = 0; i < m; i++) {
    H[i]![0] = (H[i]![0] as number) - h ** (i + 1) / fact(i + 1);
    H[m - 1]![i] = (H[m - 1]![i] as number) - h ** (m - i) / fact(m - i);
  }
  H[m - 1]![0] = (H[m - 1]![0] as number) + (2 * h - 1 > 0 ? (2 * h - 1) ** m : 0) / fact(m);
  let row = H[k - 1]!.slice();
  for (let p = 1; p < n; p++) {
    const next = new Array<number>(m).fill(0);
    for (let l = 0; l < m; l++) for (let j = 0; j < m; j++) next[j]! += row[l]! * H[l]![j]!;
    row = next;
  }
  let s = row[k - 1] as number;
  for (let i = 1; i <= n; i++) s = (s * i) / n;
  return s;
}

/** Exact rational of a double, as numerator / 2^shift. */
function dyadic(x: number): [bigint, bigint] {
  let shift = 0n;
  while (!Number.isInteger(x)) {
    x *= 2;
    shift += 1n;
  }
  return [BigInt(x), shift];
}

/**
 * Smirnov's Pr(D_n^+ > x) = x Σ_{v ≤ n(1−x)} C(n,v) (x+v/n)^(v−1) (1−x−v/n)^(n−v) in exact rational
 * arithmetic (BigInt), for the x ≥ 1/2 tail where Pr(D_n > x) = 2·Pr(D_n^+ > x) exactly.
 */
function smirnovExact(n: number, x: number): number {
  const [num, shift] = dyadic(x);
  const N = BigInt(n);
  const unit = N << shift; // x + v/n = (num·n + v·2^shift) / (n·2^shift)
  let total = 0n;
  let binom = 1n;
  const scale = unit ** N; // common denominator of x · (x+v/n)^(v−1) · (1−x−v/n)^(n−v)
  for (let v = 0; v <= n; v++) {
    const V = BigInt(v);
    const above = num * N + (V << shift);
    const below = unit - above;
    if (below <= 0n) break;
    const xTimesAbove = v === 0 ? 1n : num * N * above ** (V - 1n); // x·(x+v/n)^(v−1)·unit^v
    total += binom * xTimesAbove * below ** (N - V);
    binom = (binom * (N - V)) / (V + 1n);
  }
  // total / scale with ~60 significant bits kept.
  const bits = total.toString(2).length - scale.toString(2).length;
  const shiftBy = BigInt(60 - bits);
  const q = shiftBy >= 0n ? (total << shiftBy) / scale : total / (scale << -shiftBy);
  const half = Math.trunc(Number(shiftBy) / 2);
  return Number(q) * 2 ** -half * 2 ** -(Number(shiftBy) - half);
}

describe("documented examples", () => {
  it("run as written", () => {
    expect(kolmogorovCdf(10, 0.274)).toBeCloseTo(0.6284796154565043, 15);
    expectClose(kolmogorovSf(500, 0.103), 4.516695133345806e-5, 1e-9, 0, 0);
    expect(kolmogorovLimitSf(1)).toBeCloseTo(0.26999967167735456, 15);
  });
});

describe("kolmogorovCdf / kolmogorovSf against Durbin's formula evaluated plainly", () => {
  const grids: Array<[number, number[]]> = [
    [5, [0.11, 0.2, 0.25, 0.33, 0.41, 0.5, 0.61, 0.79, 0.85]],
    [30, [0.02, 0.05, 0.1, 0.137, 0.1853, 0.2, 0.2277, 0.25, 0.3, 0.3119, 0.35, 0.42, 0.55, 0.7, 0.9]],
    [100, [0.006, 0.012, 0.05, 0.086, 0.0955, 0.1, 0.1378, 0.15, 0.1623, 0.19, 0.21, 0.25]],
    [140, [0.004, 0.03, 0.07, 0.0861, 0.1, 0.104, 0.1139, 0.15, 0.1504, 0.1561, 0.17, 0.2]],
  ];
  for (const [n, xs] of grids) {
    it(`n = ${n}: every method (Ruben–Gambino, Durbin/MTW, Pomeranz, Smirnov) agrees`, () => {
      for (const x of xs) {
        const cdf = durbinPlain(n, x);
        expectClose(kolmogorovCdf(n, x), cdf, 1e-10, 1e-15, 1e-12);
        // The SF is 1 − CDF here only while that subtraction keeps enough digits.
        if (1 - cdf > 1e-4) expectClose(kolmogorovSf(n, x), 1 - cdf, 1e-9, 0, 0);
      }
    });
  }
});

describe("the upper tail against exact rational Smirnov sums", () => {
  it("is 2·Smirnov for x ≥ 1/2, to 1e-12 relative even when tiny", () => {
    for (const n of [5, 30, 100, 140, 400]) {
      for (const x of [0.5, 0.55, 0.625, 0.8]) {
        if (n * x >= n - 1) continue;
        expectClose(kolmogorovSf(n, x), 2 * smirnovExact(n, x), 1e-12, 0, 0);
      }
    }
  });

  it("for n > 140 and n·x² ≥ 2.2 is 2·Smirnov (the two-sided intersection is negligible)", () => {
    for (const [n, x] of [
      [171, 0.135],
      [273, 0.0983],
      [500, 0.103],
      [500, 0.3],
    ] as const) {
      expectClose(kolmogorovSf(n, x), 2 * smirnovExact(n, x), 1e-11, 0, 0);
    }
  });
});

describe("closed forms at both ends (Ruben–Gambino)", () => {
  it("CDF = n!/n^n (2nx − 1)^n for 1/(2n) < x ≤ 1/n, including the Stirling form for n > 140", () => {
    for (const n of [5, 30, 140, 141, 200]) {
      for (const t of [0.6, 0.8, 1]) {
        let direct = 1;
        for (let i = 1; i <= n; i++) direct *= (i / n) * (2 * t - 1);
        expectClose(kolmogorovCdf(n, t / n), direct, 1e-12, 0, 0);
      }
    }
  });

  it("SF = 2(1 − x)^n for x ≥ 1 − 1/n, and the support is (1/(2n), 1)", () => {
    expectClose(kolmogorovSf(30, 0.98), 2 * 0.02 ** 30, 1e-12, 0, 0);
    expect(kolmogorovSf(30, 1 / 60)).toBe(1);
    expect(kolmogorovCdf(30, 1 / 60)).toBe(0);
    expect(kolmogorovSf(30, 1)).toBe(0);
    expect(kolmogorovSf(30, 0)).toBe(1);
    expect(kolmogorovCdf(1, 0.75)).toBe(0.5);
  });

  it("rejects a non-integer or non-positive n", () => {
    expect(() => kolmogorovSf(0, 0.1)).toThrow(RangeError);
    expect(() => kolmogorovSf(2.5, 0.1)).toThrow(RangeError);
    expect(kolmogorovSf(10, Number.NaN)).toBeNaN();
  });
});

// scipy 1.10.1 `scipy.stats._ksstats.kolmogn(n, x, cdf=True/False)`, computed with the Debian 12
// python3-scipy package. For these n the Durbin-by-squaring and Pelz–Good branches have no
// independent closed form, so scipy's own numbers are the reference: [n, x, cdf, sf].
const SCIPY_KOLMOGN: Array<[number, number, number, number]> = [
  [1000, 0.0015, 4.426367026531291e-201, 1.0],
  [1000, 0.01, 5.032546293896392e-5, 0.9999496745370611],
  [1000, 0.02, 0.1891028343104423, 0.8108971656895577],
  [1000, 0.04, 0.9206604394099978, 0.07933956059000224],
  [1000, 0.05, 0.9869879197970768, 0.013012074781090332],
  [1000, 0.1, 0.9999999962983145, 3.703687096817711e-9],
  [1000, 0.3, 1.0, 2.590715705736845e-80],
  [1000, 0.7, 1.0, 0.0],
  [5000, 0.003, 2.5987461556534745e-11, 0.9999999999740126],
  [5000, 0.005, 0.00041415585220038755, 0.9995858441477996],
  [5000, 0.02, 0.9638605860467436, 0.03613941395325637],
  [5000, 0.03, 0.9997584077020355, 0.00024159234422666817],
  [5000, 0.2, 1.0, 9.004289573855005e-176],
  [5000, 0.3, 1.0, 0.0],
  [100000, 0.0002, 6.427062080538553e-131, 1.0],
  [100000, 0.0005, 8.09325953175999e-21, 1.0],
  [100000, 0.001, 3.6159205996395076e-5, 0.9999638407940036],
  [100000, 0.004, 0.9186985107977753, 0.08130148920222469],
  [100000, 0.005, 0.9865691790874486, 0.013430824977799608],
  [100000, 0.05, 1.0, 1.0446857833684497e-217],
];

describe("large n against scipy 1.10.1", () => {
  it.each(SCIPY_KOLMOGN)("n = %d, x = %d", (n, x, cdf, sf) => {
    // Both tails to 1e-9 relative (far inside the 1e-6 asked for), tiny values included.
    expectClose(kolmogorovCdf(n, x), cdf, 1e-9, 0, 0);
    expectClose(kolmogorovSf(n, x), sf, 1e-9, 0, 0);
  });
});

describe("shape of the distribution", () => {
  it("SF is non-increasing in x and CDF + SF = 1, across every method switch", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(5, 30, 100, 140, 141, 1000, 5000),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const sLo = kolmogorovSf(n, lo);
          const sHi = kolmogorovSf(n, hi);
          // Pelz–Good is an asymptotic formula: allow it a hair of non-monotonicity at switches.
          expect(sHi).toBeLessThanOrEqual(sLo + 1e-9);
          expect(Math.abs(kolmogorovCdf(n, lo) + sLo - 1)).toBeLessThan(1e-12);
        },
      ),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it("approaches the limiting distribution: SF(n, t/√n) → Q_KS(t)", () => {
    for (const t of [0.5, 0.8, 1, 1.36, 2]) {
      const gap = Math.abs(kolmogorovSf(100000, t / Math.sqrt(100000)) - kolmogorovLimitSf(t));
      expect(gap).toBeLessThan(5e-3);
    }
  });
});

interface KsOracle {
  cases: Array<{
    name: string;
    en: number;
    scipy_asymp: { statistic: number };
    extra_pvalue_kolmogorov_limit: number;
  }>;
}

describe("kolmogorovLimitSf", () => {
  /** Both classical series summed until the terms vanish. */
  function limitSeries(t: number): number {
    if (t < 1) {
      let s = 0;
      for (let k = 1; k < 50; k += 2) s += Math.exp(-((k * Math.PI) ** 2) / (8 * t * t));
      return 1 - (Math.sqrt(2 * Math.PI) / t) * s;
    }
    let s = 0;
    for (let k = 1; k < 50; k++) s += (-1) ** (k - 1) * Math.exp(-2 * k * k * t * t);
    return 2 * s;
  }

  it("matches the oracle's kstwobign.sf(D·√en)", () => {
    const oracle = JSON.parse(readFileSync(oraclePath("batch/ks.json"), "utf8")) as KsOracle;
    for (const c of oracle.cases) {
      const t = c.scipy_asymp.statistic * Math.sqrt(c.en);
      expectClose(kolmogorovLimitSf(t), c.extra_pvalue_kolmogorov_limit, 1e-12, 1e-15, 0);
    }
  });

  it("matches the textbook series on both sides of the 0.82 switch", () => {
    for (const t of [0.05, 0.2, 0.5, 0.8, 0.82, 0.83, 1, 1.3581, 2, 4]) {
      expectClose(kolmogorovLimitSf(t), limitSeries(t), 1e-13, 1e-15, 0);
    }
    expect(kolmogorovLimitSf(0)).toBe(1);
    expect(kolmogorovLimitSf(0.04)).toBe(1);
    expect(kolmogorovLimitSf(30)).toBe(0);
  });
});
