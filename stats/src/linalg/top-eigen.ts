/**
 * The k largest eigenpairs of a real symmetric matrix, the way LAPACK's `dsyevx` gets a few of
 * them: Householder reduction to a tridiagonal T (dsytrd), bisection with Sturm counts for the
 * wanted eigenvalues (dstebz), inverse iteration on T for their eigenvectors with
 * re-orthogonalisation inside clusters (dstein), and back-transformation by the reflectors.
 *
 * Why by hand: no maintained JavaScript library offers a partial symmetric eigensolver, and the
 * full decompositions we measured (ml-matrix's JAMA port: 1.1 s at n = 512, 8.7 s at n = 1024)
 * spend most of their time accumulating n×n rotations we would throw away. Here the only O(n³) step is the reduction (4/3·n³ flops on the
 * upper triangle, streamed row by row); everything after it is O(n²·k).
 */

const EPS = 2 ** -52;

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** k×n row-major; row j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

export function topSymmetricEigen(matrix: Float64Array, n: number, k: number): SymmetricEigen {
  if (matrix.length !== n * n)
    throw new RangeError(`matrix has ${matrix.length} entries, expected ${n}×${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new RangeError(`k must be an integer in [0, ${n}], got ${k}`);
  // Work on A/max|A| (LAPACK's dsyevx scales the same way) so tiny or huge entries neither
  // underflow nor overflow in the squares below; the eigenvalues are scaled back at the end.
  let scale = 0;
  for (let i = 0; i < matrix.length; i++) scale = Math.max(scale, Math.abs(matrix[i] as number));
  if (!Number.isFinite(scale)) throw new RangeError("matrix has a non-finite entry");
  if (scale === 0) scale = 1;
  const a = Float64Array.from(matrix, (v) => v / scale);
  const { diag, off, betas } = tridiagonalize(a, n);
  const values = largestEigenvalues(diag, off, k);
  const vectors = new Float64Array(k * n);
  const norm = tridiagonalNorm(diag, off);
  const ofT: Float64Array[] = []; // eigenvectors of T, before back-transformation
  let shift = Number.POSITIVE_INFINITY;
  for (let j = 0; j < k; j++) {
    // Equal eigenvalues need distinct shifts or inverse iteration returns the same vector (dstein).
    shift = Math.min(values[j] as number, shift - 10 * EPS * norm);
    const cluster: Float64Array[] = [];
    for (let i = j - 1; i >= 0 && (values[i] as number) - (values[i + 1] as number) < 1e-3 * norm; i--) {
      cluster.push(ofT[i] as Float64Array);
    }
    const y = inverseIteration(diag, off, shift, norm, cluster, j);
    ofT.push(Float64Array.from(y));
    applyReflectors(a, n, betas, y);
    vectors.set(y, j * n);
  }
  for (let j = 0; j < k; j++) values[j] = (values[j] as number) * scale;
  return { values, vectors };
}

/**
 * dsytrd-style reduction on the upper triangle of `a` (row-major). On return row r of `a` holds
 * the Householder vector v_r in columns r+1…n−1, so Q = H_0·H_1·…·H_{n−3} with H_r = I − β_r v_r v_rᵀ.
 */
function tridiagonalize(a: Float64Array, n: number) {
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(0, n - 1));
  const betas = new Float64Array(Math.max(0, n - 2));
  const p = new Float64Array(n);
  for (let r = 0; r < n - 2; r++) {
    const row = r * n;
    let sigma = 0;
    for (let j = r + 2; j < n; j++) sigma += (a[row + j] as number) ** 2;
    const x0 = a[row + r + 1] as number;
    if (sigma === 0) {
      off[r] = x0; // already tridiagonal in this row: H_r = I
      continue;
    }
    const alpha = -Math.sign(x0 || 1) * Math.sqrt(x0 * x0 + sigma);
    a[row + r + 1] = x0 - alpha; // v_r, stored in place of the eliminated entries
    const vv = (x0 - alpha) ** 2 + sigma;
    const beta = 2 / vv;
    betas[r] = beta;
    off[r] = alpha;
    // p = β·S·v over the trailing block S, reading only its upper triangle (one pass, rows contiguous).
    p.fill(0, r + 1, n);
    for (let i = r + 1; i < n; i++) {
      const ri = i * n;
      const vi = a[row + i] as number;
      let acc = (a[ri + i] as number) * vi;
      for (let j = i + 1; j < n; j++) {
        const s = a[ri + j] as number;
        acc += s * (a[row + j] as number);
        p[j] = (p[j] as number) + s * vi;
      }
      p[i] = (p[i] as number) + acc;
    }
    let pv = 0;
    for (let i = r + 1; i < n; i++) {
      p[i] = beta * (p[i] as number);
      pv += (p[i] as number) * (a[row + i] as number);
    }
    // w = p − (β·pᵀv/2)·v, then S ← S − v wᵀ − w vᵀ on the upper triangle.
    const half = (beta * pv) / 2;
    for (let i = r + 1; i < n; i++) p[i] = (p[i] as number) - half * (a[row + i] as number);
    for (let i = r + 1; i < n; i++) {
      const ri = i * n;
      const vi = a[row + i] as number;
      const wi = p[i] as number;
      for (let j = i; j < n; j++) {
        a[ri + j] = (a[ri + j] as number) - vi * (p[j] as number) - wi * (a[row + j] as number);
      }
    }
  }
  for (let i = 0; i < n; i++) diag[i] = a[i * n + i] as number;
  if (n >= 2) off[n - 2] = a[(n - 2) * n + n - 1] as number;
  return { diag, off, betas };
}

function tridiagonalNorm(diag: Float64Array, off: Float64Array): number {
  let norm = 0;
  for (let i = 0; i < diag.length; i++) {
    const row = Math.abs(diag[i] as number) + Math.abs(off[i] ?? 0) + Math.abs(off[i - 1] ?? 0);
    norm = Math.max(norm, row);
  }
  return norm || 1;
}

/** Number of eigenvalues of T strictly below x (Sturm sequence via the LDLᵀ pivots). */
function countBelow(diag: Float64Array, off: Float64Array, x: number, pivmin: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < diag.length; i++) {
    const b = i === 0 ? 0 : (off[i - 1] as number);
    q = (diag[i] as number) - x - (i === 0 ? 0 : (b * b) / q);
    if (Math.abs(q) < pivmin) q = -pivmin;
    if (q < 0) count++;
  }
  return count;
}

/** The k largest eigenvalues of T, descending, each bisected to a few ulps of ‖T‖. */
function largestEigenvalues(diag: Float64Array, off: Float64Array, k: number): Float64Array {
  const n = diag.length;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const radius = Math.abs(off[i] ?? 0) + Math.abs(off[i - 1] ?? 0);
    lo = Math.min(lo, (diag[i] as number) - radius);
    hi = Math.max(hi, (diag[i] as number) + radius);
  }
  const norm = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const pivmin = Number.MIN_VALUE * 1e10 * Math.max(1, norm * norm);
  lo -= 2 * EPS * norm * n;
  hi += 2 * EPS * norm * n;
  const values = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const index = n - 1 - j; // ascending position of the j-th largest
    let left = lo;
    let right = hi;
    while (right - left > 2 * EPS * Math.max(Math.abs(left), Math.abs(right)) + pivmin) {
      const mid = left + (right - left) / 2;
      if (mid === left || mid === right) break;
      if (countBelow(diag, off, mid, pivmin) > index) right = mid;
      else left = mid;
    }
    values[j] = left + (right - left) / 2;
  }
  return values;
}

/**
 * Eigenvector of T for an eigenvalue close to `shift`: a few solves of (T − shift·I)x = b with
 * partial pivoting (LAPACK dgttrf/dgtts2), orthogonalised against the earlier vectors of its
 * cluster (eigenvalues within 1e-3·‖T‖, LAPACK dstein's rule).
 */
function inverseIteration(
  diag: Float64Array,
  off: Float64Array,
  shift: number,
  norm: number,
  cluster: Float64Array[],
  j: number,
): Float64Array {
  const n = diag.length;
  if (n === 1) return Float64Array.of(1);
  // A fixed pseudo-random start: deterministic output, and never orthogonal to the answer in practice.
  const x = new Float64Array(n);
  let seed = 1 + j * 7919;
  for (let i = 0; i < n; i++) {
    seed = (seed * 48271) % 2147483647;
    x[i] = seed / 2147483647 - 0.5;
  }
  const lu = factorShifted(diag, off, shift, norm);
  for (let iteration = 0; iteration < 5; iteration++) {
    solveShifted(lu, x);
    for (const other of cluster) {
      let dot = 0;
      for (let t = 0; t < n; t++) dot += (x[t] as number) * (other[t] as number);
      for (let t = 0; t < n; t++) x[t] = (x[t] as number) - dot * (other[t] as number);
    }
    let s = 0;
    for (let t = 0; t < n; t++) s += (x[t] as number) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let t = 0; t < n; t++) x[t] = (x[t] as number) * inv;
  }
  return x;
}

interface ShiftedLu {
  d: Float64Array;
  du: Float64Array;
  du2: Float64Array;
  dl: Float64Array;
  swapped: Uint8Array;
}

function factorShifted(diag: Float64Array, off: Float64Array, shift: number, norm: number): ShiftedLu {
  const n = diag.length;
  const d = Float64Array.from(diag, (v) => v - shift);
  const du = Float64Array.from(off);
  const dl = Float64Array.from(off);
  const du2 = new Float64Array(Math.max(0, n - 2));
  const swapped = new Uint8Array(Math.max(0, n - 1));
  const tiny = EPS * norm;
  for (let i = 0; i < n - 1; i++) {
    if (Math.abs(d[i] as number) >= Math.abs(dl[i] as number)) {
      // A (near-)zero pivot is expected: the shift is an eigenvalue. Perturb it like dlagtf does.
      if (Math.abs(d[i] as number) < tiny) d[i] = (d[i] as number) < 0 ? -tiny : tiny;
      const fact = (dl[i] as number) / (d[i] as number);
      dl[i] = fact;
      d[i + 1] = (d[i + 1] as number) - fact * (du[i] as number);
    } else {
      const fact = (d[i] as number) / (dl[i] as number);
      d[i] = dl[i] as number;
      dl[i] = fact;
      const temp = du[i] as number;
      du[i] = d[i + 1] as number;
      d[i + 1] = temp - fact * (d[i + 1] as number);
      if (i < n - 2) {
        du2[i] = du[i + 1] as number;
        du[i + 1] = -fact * (du[i + 1] as number);
      }
      swapped[i] = 1;
    }
  }
  if (Math.abs(d[n - 1] as number) < tiny) d[n - 1] = (d[n - 1] as number) < 0 ? -tiny : tiny;
  return { d, du, du2, dl, swapped };
}

function solveShifted(lu: ShiftedLu, b: Float64Array): void {
  const { d, du, du2, dl, swapped } = lu;
  const n = d.length;
  for (let i = 0; i < n - 1; i++) {
    if (swapped[i]) {
      const temp = b[i] as number;
      b[i] = b[i + 1] as number;
      b[i + 1] = temp - (dl[i] as number) * (b[i] as number);
    } else {
      b[i + 1] = (b[i + 1] as number) - (dl[i] as number) * (b[i] as number);
    }
  }
  b[n - 1] = (b[n - 1] as number) / (d[n - 1] as number);
  if (n > 1)
    b[n - 2] = ((b[n - 2] as number) - (du[n - 2] as number) * (b[n - 1] as number)) / (d[n - 2] as number);
  for (let i = n - 3; i >= 0; i--) {
    b[i] =
      ((b[i] as number) -
        (du[i] as number) * (b[i + 1] as number) -
        (du2[i] as number) * (b[i + 2] as number)) /
      (d[i] as number);
  }
}

/** y ← H_0·H_1·…·H_{n−3}·y (the rightmost reflector acts first). */
function applyReflectors(a: Float64Array, n: number, betas: Float64Array, y: Float64Array): void {
  for (let r = n - 3; r >= 0; r--) {
    const beta = betas[r] as number;
    if (beta === 0) continue;
    const row = r * n;
    let dot = 0;
    for (let i = r + 1; i < n; i++) dot += (a[row + i] as number) * (y[i] as number);
    const scale = beta * dot;
    for (let i = r + 1; i < n; i++) y[i] = (y[i] as number) - scale * (a[row + i] as number);
  }
}
