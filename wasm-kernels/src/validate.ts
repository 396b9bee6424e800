// Shape checks shared by every backend, so that misuse fails the same way in WASM and in
// TypeScript instead of reading out of bounds in linear memory.

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

/** Throws a RangeError unless each size is a non-negative integer. */
export function checkSizes(kernel: string, sizes: Record<string, number>): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!isCount(value))
      throw new RangeError(`${kernel}: ${name} must be a non-negative integer, got ${value}`);
  }
}

/** Throws a RangeError unless array holds exactly `length` elements. */
export function checkLength(kernel: string, name: string, array: ArrayLike<number>, length: number): void {
  if (array.length !== length) {
    throw new RangeError(`${kernel}: ${name} has ${array.length} elements, expected ${length}`);
  }
}

/** Throws a RangeError unless the edges are sorted ascending (duplicates allowed) and not NaN. */
export function checkSortedEdges(kernel: string, edges: Float64Array, from = 0, to = edges.length): void {
  for (let i = from; i < to; i++) {
    const e = edges[i] as number;
    if (Number.isNaN(e) || (i > from && e < (edges[i - 1] as number))) {
      throw new RangeError(`${kernel}: interior edges must be sorted ascending without NaN (index ${i})`);
    }
  }
}

/** Shape checks of each kernel, called first by both backends. */
export const check = {
  project(x: Float32Array, n: number, d: number, w: Float32Array, k: number, offset?: Float64Array): void {
    checkSizes("project", { n, d, k });
    checkLength("project", "x", x, n * d);
    checkLength("project", "w", w, k * d);
    if (offset) checkLength("project", "offset", offset, k);
  },
  randomFeatures(
    u: Float32Array,
    n: number,
    c: number,
    w: Float32Array,
    D: number,
    phases: Float64Array,
    scale: number,
  ): void {
    checkSizes("randomFeatures", { n, c, D });
    checkLength("randomFeatures", "u", u, n * c);
    checkLength("randomFeatures", "w", w, D * c);
    checkLength("randomFeatures", "phases", phases, D);
    if (!Number.isFinite(scale)) throw new RangeError(`randomFeatures: scale must be finite, got ${scale}`);
  },
  pairwiseSquaredDistances(z: Float32Array, n: number, d: number): void {
    checkSizes("pairwiseSquaredDistances", { n, d });
    checkLength("pairwiseSquaredDistances", "z", z, n * d);
  },
  rbfGram(sigmaSq: number): void {
    if (!(sigmaSq > 0 && Number.isFinite(sigmaSq))) {
      throw new RangeError(`rbfGram: sigmaSq must be positive and finite, got ${sigmaSq}`);
    }
  },
  histogram(_values: Float64Array, interiorEdges: Float64Array): void {
    checkSortedEdges("histogram", interiorEdges);
  },
  histogramColumns(values: Float64Array, n: number, k: number, interiorEdges: Float64Array, m: number): void {
    checkSizes("histogramColumns", { n, k, m });
    checkLength("histogramColumns", "values", values, n * k);
    checkLength("histogramColumns", "interiorEdges", interiorEdges, k * m);
    for (let c = 0; c < k; c++) checkSortedEdges("histogramColumns", interiorEdges, c * m, (c + 1) * m);
  },
  columnMeans(x: Float32Array, n: number, d: number): void {
    checkSizes("columnMeans", { n, d });
    checkLength("columnMeans", "x", x, n * d);
  },
  centeredCrossProduct(x: Float32Array, n: number, d: number, mean: Float64Array): void {
    checkSizes("centeredCrossProduct", { n, d });
    checkLength("centeredCrossProduct", "x", x, n * d);
    checkLength("centeredCrossProduct", "mean", mean, d);
  },
  groupSums(kernel: Float64Array | Float32Array, n: number, labels: Uint8Array, p: number): void {
    checkSizes("groupSums", { n, p });
    checkLength("groupSums", "kernel", kernel, n * n);
    checkLength("groupSums", "labels", labels, p * n);
  },
};
