import { f32At, f64At } from "./memory";

// ‖z_i − z_j‖² in f64 from direct differences. The rows are first widened to f64 so that for
// dyadic inputs with few bits (the MMD oracles) every distance is exact whatever the order of
// summation, and the median bandwidth matches numpy bit for bit; direct differences rather than
// ‖a‖²+‖b‖²−2a·b so that general inputs do not suffer cancellation either.

/**
 * scratch ← z (n×d f32) widened to f64, with rows padded to an even count and each row to an
 * even length with zeros: ((n+1)&~1)·((d+1)&~1) f64.
 */
export function widenRows(z: usize, n: i32, d: i32, scratch: usize): void {
  const dp = (d + 1) & ~1;
  const np = (n + 1) & ~1;
  memory.fill(scratch, 0, (<usize>np * <usize>dp) << 3);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      store<f64>(f64At(scratch, i * dp + t), <f64>load<f32>(f32At(z, i * d + t)));
    }
  }
}

/**
 * out (n×n f64) rows i0 … i1−1 (i0 even) against every j ≥ i, mirrored below the diagonal,
 * from the widened rows. The JS side calls this in slices so V8 can swap in optimised code
 * between calls (WebAssembly has no on-stack replacement).
 */
export function distanceRows(scratch: usize, n: i32, d: i32, i0: i32, i1: i32, out: usize): void {
  const np = (n + 1) & ~1;
  const rowBytes = (<usize>((d + 1) & ~1)) << 3;
  // 2×2 register blocks: four distances share four loads per pair of coordinates.
  for (let i = i0; i < i1; i += 2) {
    const a0 = scratch + <usize>i * rowBytes;
    const a1 = a0 + rowBytes;
    for (let j = i; j < np; j += 2) {
      const b0 = scratch + <usize>j * rowBytes;
      const b1 = b0 + rowBytes;
      let s00 = f64x2.splat(0);
      let s01 = f64x2.splat(0);
      let s10 = f64x2.splat(0);
      let s11 = f64x2.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        const y0 = v128.load(b0 + o);
        const y1 = v128.load(b1 + o);
        const d00 = f64x2.sub(x0, y0);
        const d01 = f64x2.sub(x0, y1);
        const d10 = f64x2.sub(x1, y0);
        const d11 = f64x2.sub(x1, y1);
        s00 = f64x2.add(s00, f64x2.mul(d00, d00));
        s01 = f64x2.add(s01, f64x2.mul(d01, d01));
        s10 = f64x2.add(s10, f64x2.mul(d10, d10));
        s11 = f64x2.add(s11, f64x2.mul(d11, d11));
      }
      put(out, n, i, j, s00);
      put(out, n, i, j + 1, s01);
      put(out, n, i + 1, j, s10);
      put(out, n, i + 1, j + 1, s11);
    }
  }
}

/** Writes one distance at (i, j) and (j, i), skipping the padding row and the diagonal. */
function put(out: usize, n: i32, i: i32, j: i32, s: v128): void {
  if (i >= n || j >= n) return;
  const v = i === j ? 0 : f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  store<f64>(f64At(out, i * n + j), v);
  store<f64>(f64At(out, j * n + i), v);
}
