/**
 * @module
 * Least-squares similarity transform between two point sets (Umeyama 1991, "Least-squares
 * estimation of transformation parameters between two point patterns", IEEE TPAMI 13(4)).
 *
 * In 2-D a rotation-plus-scale is multiplication by one complex number `a + ib`, so Umeyama's SVD
 * reduces to a closed form: with both sets centred, `a = Σ(x·u + y·v) / Σ(x² + y²)` and
 * `b = Σ(x·v − y·u) / Σ(x² + y²)`. It never yields a reflection, which is what Umeyama's sign
 * correction ensures in general. Written by hand because it is ten lines and no small library does
 * only this.
 */
import type { Point } from "./image.ts";

/**
 * A 2-D affine map `[a, b, c, d, e, f]`: `x' = a·x + b·y + c`, `y' = d·x + e·y + f`
 * (the row-major 2×3 matrix OpenCV's `warpAffine` takes).
 */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * The similarity transform (uniform scale, rotation, translation) that maps `from` onto `to`
 * with the least squared error.
 *
 * @example
 * estimateSimilarity([[0, 0], [1, 0]], [[1, 1], [1, 3]]); // ≈ [0, -2, 1, 2, 0, 1]: ×2, 90°, +(1, 1)
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) {
    throw new RangeError(
      `estimateSimilarity needs two equal sets of ≥ 2 points, got ${from.length} and ${to.length}`,
    );
  }
  const n = from.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = from[i] as Point;
    const [u, v] = to[i] as Point;
    fx += x / n;
    fy += y / n;
    tx += u / n;
    ty += v / n;
  }
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const x = (from[i] as Point)[0] - fx;
    const y = (from[i] as Point)[1] - fy;
    const u = (to[i] as Point)[0] - tx;
    const v = (to[i] as Point)[1] - ty;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  if (norm === 0) throw new RangeError("estimateSimilarity: all source points coincide");
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

/** Applies an affine map to a point. */
export function applyAffine(m: Affine, [x, y]: Point): Point {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** The inverse of an affine map; throws when it is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new RangeError("invertAffine: the map is singular");
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}
