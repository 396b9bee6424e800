// The contract suite every backend runs (hono's common.case.test.ts, tfjs's shared op tests):
// seeded random inputs and edge cases, each result checked against a naive reference written
// here, independent of both backends.
//
// Tolerances, relative to the sum of the absolute values of the terms being added:
//   project            1e-5 for "wasm-simd" (f32 lanes), 1e-12 for "typescript" (f64)
//   distances, centred cross products, f64 group sums   1e-12 (f64, only the order differs)
//   f32 group sums     1e-6 (the f32 copy of the kernel rounds each entry by 2^-24)
//   rbfGram            4e-16 relative (exp may differ by an ulp between engines)
//   randomFeatures     project's, plus 4.5e-16 for the cosine (2 ulp on [−1, 1]), times |scale|
//   column means, histograms   identical
import { describe, expect, it } from "vitest";
import type { Kernels } from "./kernels.ts";
import { randomSplits, seededRandom, uniformFloat32 } from "./testing/random.ts";

/** Asserts |actual − expected| ≤ tolerance[i] elementwise, naming the first failing index. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: ArrayLike<number>,
) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(error <= (tolerance[i] as number))) {
      expect.fail(`index ${i}: ${actual[i]} vs ${expected[i]}, error ${error} > ${tolerance[i]}`);
    }
  }
}

const scaled = (magnitudes: number[], factor: number) => magnitudes.map((m) => m * factor + 1e-300);

/** Naive x·wᵀ − offset and, per entry, Σ|x_t·w_t| (the scale of its rounding error). */
function naiveProject(
  x: Float32Array,
  n: number,
  d: number,
  w: Float32Array,
  k: number,
  offset: Float64Array,
) {
  const value: number[] = [];
  const magnitude: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      let a = 0;
      for (let t = 0; t < d; t++) {
        const term = (x[i * d + t] as number) * (w[j * d + t] as number);
        s += term;
        a += Math.abs(term);
      }
      value.push(s - (offset[j] as number));
      magnitude.push(a + Math.abs(offset[j] as number));
    }
  }
  return { value, magnitude };
}

function naiveDistances(z: Float32Array, n: number, d: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += ((z[i * d + t] as number) - (z[j * d + t] as number)) ** 2;
      out.push(s);
    }
  }
  return out;
}

function naiveCrossProduct(x: Float32Array, n: number, d: number, mean: Float64Array) {
  const value: number[] = [];
  const magnitude: number[] = [];
  for (let p = 0; p < d; p++) {
    for (let q = 0; q < d; q++) {
      let s = 0;
      let a = 0;
      for (let i = 0; i < n; i++) {
        const term =
          ((x[i * d + p] as number) - (mean[p] as number)) * ((x[i * d + q] as number) - (mean[q] as number));
        s += term;
        a += Math.abs(term);
      }
      value.push(s);
      magnitude.push(a);
    }
  }
  return { value, magnitude };
}

/** numpy searchsorted(edges, x, 'right') by counting: the edges that x is not below. */
function naiveBin(x: number, edges: ArrayLike<number>): number {
  let bin = 0;
  for (let e = 0; e < edges.length; e++) if (!(x < (edges[e] as number))) bin++;
  return bin;
}

function naiveGroupSums(kernel: ArrayLike<number>, n: number, labels: Uint8Array, p: number) {
  const value: number[] = [];
  const magnitude: number[] = [];
  for (let perm = 0; perm < p; perm++) {
    let s = 0;
    let a = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (labels[perm * n + i] && labels[perm * n + j]) {
          s += kernel[i * n + j] as number;
          a += Math.abs(kernel[i * n + j] as number);
        }
      }
    }
    value.push(s);
    magnitude.push(a);
  }
  return { value, magnitude };
}

/** A symmetric RBF kernel matrix of n random points, as the MMD test builds it. */
function randomGram(n: number, d: number, seed: number): Float64Array {
  const z = uniformFloat32(n * d, seed);
  const k = new Float64Array(n * n);
  const d2 = naiveDistances(z, n, d);
  for (let i = 0; i < n * n; i++) k[i] = Math.exp(-(d2[i] as number) / d);
  return k;
}

/** Registers the whole contract suite for one backend. */
export function kernelContract(kernels: Kernels): void {
  const projectTolerance = kernels.name === "wasm-simd" ? 1e-5 : 1e-12;

  describe("project", () => {
    it.each([
      [50, 512, 1],
      [17, 13, 3],
      [9, 3, 2],
      [4, 1, 1],
      [0, 512, 1],
      [5, 0, 2],
    ])("n=%i d=%i k=%i matches x·wᵀ − offset", (n, d, k) => {
      const x = uniformFloat32(n * d, 11 + d);
      const w = uniformFloat32(k * d, 12 + d);
      const offset = Float64Array.from(uniformFloat32(k, 13));
      const expected = naiveProject(x, n, d, w, k, offset);
      const actual = kernels.project(x, n, d, w, k, offset);
      expectClose(actual, expected.value, scaled(expected.magnitude, projectTolerance));
    });

    it("treats a missing offset as zeros and reads a subarray at its byte offset", () => {
      const backing = uniformFloat32(1 + 6 * 7, 14);
      const x = backing.subarray(1);
      const w = uniformFloat32(7, 15);
      const expected = naiveProject(x, 6, 7, w, 1, new Float64Array(1));
      expectClose(
        kernels.project(x, 6, 7, w, 1),
        expected.value,
        scaled(expected.magnitude, projectTolerance),
      );
    });

    it("rejects mismatched sizes", () => {
      expect(() => kernels.project(new Float32Array(10), 3, 4, new Float32Array(4), 1)).toThrow(RangeError);
    });
  });

  describe("randomFeatures", () => {
    // The argument carries project's error; cos is 1-Lipschitz, and each backend's cosine is
    // within 2 ulp (≤ 4.5e-16 on [−1, 1]) of the exact one.
    const featureTolerance = (magnitude: number[], scale: number) =>
      magnitude.map((m) => Math.abs(scale) * (m * projectTolerance + 4.5e-16) + 1e-300);
    it.each([
      [50, 129, 256],
      [17, 13, 3],
      [4, 1, 1],
      [0, 129, 4],
      [3, 129, 0],
    ])("n=%i c=%i D=%i matches scale·cos(u·wᵀ + phase)", (n, c, D) => {
      const u = uniformFloat32(n * c, 31 + c, 3);
      const w = uniformFloat32(D * c, 32 + c, 2);
      const phases = Float64Array.from(uniformFloat32(D, 33, Math.PI), (b) => b + Math.PI);
      const scale = Math.sqrt(2 / Math.max(1, D));
      const argument = naiveProject(
        u,
        n,
        c,
        w,
        D,
        Float64Array.from(phases, (b) => -b),
      );
      const expected = argument.value.map((a) => scale * Math.cos(a));
      const actual = kernels.randomFeatures(u, n, c, w, D, phases, scale);
      expectClose(actual, expected, featureTolerance(argument.magnitude, scale));
    });

    it("keeps the cosine exact where its argument is far out, near a multiple of π/2 or not finite", () => {
      // One coordinate, weight 1: the argument is u + phase, exactly as given.
      const phases = Float64Array.of(0);
      const values = [
        0,
        1e-300,
        Math.PI / 2,
        -Math.PI / 2,
        Math.PI,
        3 * Math.PI,
        100.25,
        -700.5,
        524287,
        524289,
        1e7,
        3.4e38,
      ];
      const u = Float32Array.from(values);
      const arguments_ = Array.from(u, Number);
      const actual = kernels.randomFeatures(u, u.length, 1, Float32Array.of(1), 1, phases, 1);
      expectClose(
        actual,
        arguments_.map((a) => Math.cos(a)),
        arguments_.map(() => 4.5e-16),
      );
      const nan = kernels.randomFeatures(Float32Array.of(Number.NaN), 1, 1, Float32Array.of(1), 1, phases, 1);
      expect(nan[0]).toBeNaN();
    });

    it("rejects mismatched sizes and a non-finite scale", () => {
      const u = new Float32Array(6);
      expect(() => kernels.randomFeatures(u, 3, 2, new Float32Array(4), 2, new Float64Array(1), 1)).toThrow(
        RangeError,
      );
      expect(() =>
        kernels.randomFeatures(u, 3, 2, new Float32Array(4), 2, new Float64Array(2), Number.NaN),
      ).toThrow(/scale must be finite/);
    });
  });

  describe("pairwiseSquaredDistances", () => {
    it.each([
      [40, 512],
      [7, 13],
      [1, 5],
      [0, 4],
    ])("n=%i d=%i matches direct differences", (n, d) => {
      const z = uniformFloat32(n * d, 21 + n);
      const expected = naiveDistances(z, n, d);
      const actual = kernels.pairwiseSquaredDistances(z, n, d);
      expectClose(actual, expected, scaled(expected, 1e-12));
      for (let i = 0; i < n; i++) expect(actual[i * n + i]).toBe(0);
    });

    it("is exact on dyadic inputs (multiples of 2^-8)", () => {
      const z = uniformFloat32(30 * 515, 22).map((v) => Math.round(v * 2048) / 256);
      expect(Array.from(kernels.pairwiseSquaredDistances(z, 30, 515))).toEqual(naiveDistances(z, 30, 515));
    });
  });

  describe("rbfGram", () => {
    it("maps squared distances to exp(−d²/(2σ²)) in place", () => {
      const d2 = Float64Array.from(uniformFloat32(101, 31, 50), Math.abs);
      const expected = Array.from(d2, (v) => Math.exp(-v / (2 * 7.5)));
      const result = kernels.rbfGram(d2, 7.5);
      expect(result).toBe(d2);
      expectClose(result, expected, scaled(expected, 4e-16));
    });

    it("maps 0 to 1 and huge or infinite distances to 0", () => {
      const d2 = new Float64Array([0, 1e-300, 1e6, Number.POSITIVE_INFINITY]);
      expect(Array.from(kernels.rbfGram(d2, 2))).toEqual([1, 1, 0, 0]);
    });

    it("rejects a non-positive bandwidth", () => {
      expect(() => kernels.rbfGram(new Float64Array(2), 0)).toThrow(RangeError);
    });
  });

  describe("histogram", () => {
    const random = seededRandom(41);
    // Values on a grid so that many land exactly on edges, plus NaN and infinities.
    const values = Float64Array.from({ length: 997 }, () => Math.floor(random() * 24) / 4 - 3);
    values.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0], 0);
    const edgeSets: [string, Float64Array][] = [
      ["deciles with duplicates", new Float64Array([-2, -1, -1, -0.5, 0, 0, 0, 1.25, 2])],
      ["one edge", new Float64Array([0])],
      ["no edges", new Float64Array([])],
      ["50 edges (binary search)", Float64Array.from({ length: 50 }, (_, i) => -3 + i * 0.125)],
    ];
    it.each(edgeSets)("%s: searchsorted side='right' bins", (_, edges) => {
      const expected = new Array<number>(edges.length + 1).fill(0);
      for (const x of values) expected[naiveBin(x, edges)] = (expected[naiveBin(x, edges)] as number) + 1;
      expect(Array.from(kernels.histogram(values, edges))).toEqual(expected);
    });

    it("histogramColumns bins each column with its own edges", () => {
      const [n, k, m] = [332, 3, 9];
      const edges = new Float64Array(k * m);
      for (let c = 0; c < k; c++)
        edges.set(
          Float64Array.from({ length: m }, (_, e) => (e - 4) * (c + 1) * 0.5),
          c * m,
        );
      const v = values.subarray(0, n * k);
      const expected = new Array<number>(k * (m + 1)).fill(0);
      for (let i = 0; i < n * k; i++) {
        const c = i % k;
        const at = c * (m + 1) + naiveBin(v[i] as number, edges.subarray(c * m, (c + 1) * m));
        expected[at] = (expected[at] as number) + 1;
      }
      expect(Array.from(kernels.histogramColumns(v, n, k, edges, m))).toEqual(expected);
    });

    it("rejects unsorted edges", () => {
      expect(() => kernels.histogram(values, new Float64Array([1, 0]))).toThrow(RangeError);
    });
  });

  describe("columnMeans and centeredCrossProduct", () => {
    it.each([
      [600, 64],
      [37, 13],
      [5, 1],
      [1, 6],
    ])("n=%i d=%i match the naive sums", (n, d) => {
      const x = uniformFloat32(n * d, 51 + d, 3);
      const expectedMean = Array.from({ length: d }, (_, t) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i * d + t] as number;
        return s / n;
      });
      const mean = kernels.columnMeans(x, n, d);
      expect(Array.from(mean)).toEqual(expectedMean);
      const expected = naiveCrossProduct(x, n, d, mean);
      expectClose(
        kernels.centeredCrossProduct(x, n, d, mean),
        expected.value,
        scaled(expected.magnitude, 1e-12),
      );
    });

    it("n=0 gives NaN means and a zero cross product", () => {
      expect(Array.from(kernels.columnMeans(new Float32Array(0), 0, 3))).toEqual([NaN, NaN, NaN]);
      expect(
        Array.from(kernels.centeredCrossProduct(new Float32Array(0), 0, 2, new Float64Array(2))),
      ).toEqual([0, 0, 0, 0]);
    });
  });

  describe("groupSums", () => {
    it.each([
      [60, 21, "f64"],
      [60, 21, "f32"],
      [7, 1, "f64"],
      [7, 17, "f32"],
      [0, 3, "f64"],
      [5, 0, "f32"],
    ])("n=%i P=%i (%s kernel) matches the sum over group pairs", (n, p, precision) => {
      const gram = randomGram(n, 9, 61 + n);
      const kernel = precision === "f32" ? new Float32Array(gram) : gram;
      const labels = randomSplits(n, n >> 1, p, 62);
      // Also an all-zero and an all-one label row when there is room.
      if (p > 2) labels.fill(0, 0, n).fill(1, n, 2 * n);
      const expected = naiveGroupSums(gram, n, labels, p);
      const tolerance = precision === "f32" ? 1e-6 : 1e-12;
      expectClose(
        kernels.groupSums(kernel, n, labels, p),
        expected.value,
        scaled(expected.magnitude, tolerance),
      );
    });
  });
}
