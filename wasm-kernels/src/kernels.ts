/**
 * The contract every backend implements under the same names (tfjs style): the WebAssembly
 * SIMD kernels in src/wasm/ and the plain TypeScript fallbacks in src/fallback/. Matrices are
 * flat row-major typed arrays; sizes are passed explicitly and checked (src/validate.ts).
 * Outputs are always fresh arrays except rbfGram, which works in place.
 */
export interface Kernels {
  /** "wasm-simd" or "typescript": which implementation `kernels()` picked. */
  readonly name: "wasm-simd" | "typescript";

  /**
   * Projection of n rows of x (n×d) on k directions w (k×d, one direction per row):
   * out[i·k + j] = Σ_t x[i·d + t]·w[j·d + t] − offset[j] (offset defaults to zeros).
   * The WASM dot products accumulate in f32 lanes (relative error ~1e-6 of Σ|x·w|), enough for
   * drift scores; use a f64 path where exactness matters.
   */
  project(
    x: Float32Array,
    n: number,
    d: number,
    w: Float32Array,
    k: number,
    offset?: Float64Array,
  ): Float64Array;

  /**
   * Random Fourier features of n rows of u (n×c) for D frequencies w (D×c, one per row) and
   * phases: out[i·D + f] = scale·cos(Σ_t u[i·c + t]·w[f·c + t] + phases[f]). The argument is
   * `project`'s (f32 lanes in WASM, f64 in TypeScript); WASM takes the cosine itself (fdlibm's
   * polynomials, within 2 ulp of `Math.cos`) instead of one JavaScript call per value.
   */
  randomFeatures(
    u: Float32Array,
    n: number,
    c: number,
    w: Float32Array,
    D: number,
    phases: Float64Array,
    scale: number,
  ): Float64Array;

  /**
   * n×n squared Euclidean distances of the rows of z (n×d), symmetric with a zero diagonal,
   * formed in f64 from direct differences: exact for dyadic inputs with few bits.
   */
  pairwiseSquaredDistances(z: Float32Array, n: number, d: number): Float64Array;

  /** In place: d2[i] ← exp(−d2[i] / (2·sigmaSq)); returns d2. */
  rbfGram(d2: Float64Array, sigmaSq: number): Float64Array;

  /**
   * counts (length m+1) for m sorted interior edges with numpy
   * `searchsorted(edges, x, side='right')` bins: [e_{b−1}, e_b), a value equal to an edge goes
   * to the upper bin, duplicate edges leave empty bins, NaN goes to the last bin.
   */
  histogram(values: Float64Array, interiorEdges: Float64Array): Int32Array;

  /**
   * One histogram per column of values (n×k): interiorEdges is k×m (row c = the m sorted edges
   * of column c); counts is k×(m+1), row c = the counts of column c.
   */
  histogramColumns(
    values: Float64Array,
    n: number,
    k: number,
    interiorEdges: Float64Array,
    m: number,
  ): Int32Array;

  /** Column means of x (n×d), summed in row order in f64 (identical bits in every backend). */
  columnMeans(x: Float32Array, n: number, d: number): Float64Array;

  /** d×d Σ_i (x_i − mean)(x_i − mean)ᵀ in f64, full symmetric matrix (divide by n−1 for covariance). */
  centeredCrossProduct(x: Float32Array, n: number, d: number, mean: Float64Array): Float64Array;

  /**
   * For P label vectors (labels is P×n, nonzero = point in group X):
   * out[p] = Σ_{i,j both in X_p} kernel[i·n + j], diagonal included: S_XX of permutation p.
   * With the row sums r_i and the total T of the same kernel, S_XY = Σ_{i∈X_p} r_i − S_XX and
   * S_YY = T − 2·S_XY − S_XX. kernel must be symmetric (WASM reads only the upper triangle).
   * A Float64Array kernel is summed in f64 (measured ≤ 3e-14 relative to the exact sum). A
   * Float32Array copy halves the memory and is ~1.2× faster: K − (mean entry) is summed in f32
   * partial sums of 8 terms flushed to f64, measured ≤ 8e-10 relative, and MMD² within 1.6e-9
   * of the f64 result, rounding of K included (n = 400, P = 1000). Prefer f64 for p-values.
   */
  groupSums(kernel: Float64Array | Float32Array, n: number, labels: Uint8Array, p: number): Float64Array;
}
