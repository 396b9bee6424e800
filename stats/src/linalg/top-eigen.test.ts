import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topSymmetricEigen } from "./top-eigen.ts";

/** Q·diag(λ)·Qᵀ for a random orthogonal Q (Gram–Schmidt of a seeded random matrix). */
function withSpectrum(spectrum: number[], seed: number): Float64Array {
  const n = spectrum.length;
  let s = seed;
  const rnd = () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  const q = Array.from({ length: n }, () => Float64Array.from({ length: n }, rnd));
  q.forEach((row, i) => {
    for (let j = 0; j < i; j++) {
      const other = q[j] as Float64Array;
      const dot = row.reduce((acc, v, t) => acc + v * (other[t] as number), 0);
      row.forEach((v, t) => {
        row[t] = v - dot * (other[t] as number);
      });
    }
    const norm = Math.hypot(...row);
    row.forEach((v, t) => {
      row[t] = v / norm;
    });
  });
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < n; t++)
        sum += (q[t] as Float64Array)[i]! * (spectrum[t] as number) * (q[t] as Float64Array)[j]!;
      a[i * n + j] = sum;
    }
  }
  return a;
}

function check(a: Float64Array, n: number, k: number, tol: number) {
  const { values, vectors } = topSymmetricEigen(a, n, k);
  for (let p = 0; p < k; p++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let t = 0; t < n; t++) av += (a[i * n + t] as number) * (vectors[p * n + t] as number);
      expect(Math.abs(av - (values[p] as number) * (vectors[p * n + i] as number))).toBeLessThan(tol);
    }
    for (let r = 0; r < k; r++) {
      let dot = 0;
      for (let t = 0; t < n; t++) dot += (vectors[p * n + t] as number) * (vectors[r * n + t] as number);
      expect(Math.abs(dot - (p === r ? 1 : 0))).toBeLessThan(1e-12);
    }
  }
  return values;
}

describe("topSymmetricEigen", () => {
  it("recovers a known spectrum, largest first, with orthonormal eigenvectors", () => {
    const spectrum = Array.from({ length: 40 }, (_, i) => 10 * 0.8 ** i);
    const values = check(withSpectrum(spectrum, 3), 40, 10, 1e-12);
    values.forEach((v, i) => {
      expect(Math.abs(v - (spectrum[i] as number))).toBeLessThan(1e-12);
    });
  });

  it("separates repeated eigenvalues into orthonormal vectors", () => {
    const spectrum = [5, 5, 5, 2, 2, 1, 0, 0, 0, 0];
    const values = check(withSpectrum(spectrum, 11), 10, 8, 1e-12);
    expect(Array.from(values).map((v) => Math.round(v * 1e9) / 1e9)).toEqual(spectrum.slice(0, 8));
  });

  it("handles zero, 1×1 and badly scaled matrices", () => {
    for (const v of check(new Float64Array(16), 4, 2, 1e-300)) expect(Math.abs(v)).toBeLessThan(1e-300);
    expect(topSymmetricEigen(Float64Array.of(-3), 1, 1).values[0]).toBeCloseTo(-3, 14);
    const tiny = withSpectrum([3e-200, 2e-200, 1e-200], 5);
    const big = withSpectrum([3e200, 2e200, 1e200], 5);
    check(tiny, 3, 3, 1e-212);
    const values = check(big, 3, 3, 1e188);
    expect(values[0]! / 3e200).toBeCloseTo(1, 12);
  });

  it("satisfies A·v = λ·v on random symmetric matrices", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 1e6 }), (n, seed) => {
        const spectrum = Array.from({ length: n }, (_, i) => Math.sin(seed + i) * 10);
        check(withSpectrum(spectrum, seed), n, Math.ceil(n / 2), 1e-10);
      }),
      { numRuns: 100, seed: 9 },
    );
  });

  it("rejects a k outside [0, n]", () => {
    expect(() => topSymmetricEigen(new Float64Array(4), 2, 3)).toThrow(/k must be/);
  });
});
