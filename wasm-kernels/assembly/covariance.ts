import { f32At, f64At } from "./memory";

/** sums (d f64) += the n rows of x (n×d f32), each column summed in row order in f64. */
export function columnSums(x: usize, n: i32, d: i32, sums: usize): void {
  const d4 = d & ~3;
  for (let i = 0; i < n; i++) {
    const row = f32At(x, i * d);
    let t = 0;
    for (; t < d4; t += 4) {
      const v = v128.load(f32At(row, t));
      const lo = f64x2.promote_low_f32x4(v);
      const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
      const o = f64At(sums, t);
      v128.store(o, f64x2.add(v128.load(o), lo));
      v128.store(o, f64x2.add(v128.load(o, 16), hi), 16);
    }
    for (; t < d; t++) {
      const o = f64At(sums, t);
      store<f64>(o, load<f64>(o) + <f64>load<f32>(f32At(row, t)));
    }
  }
}

/** Rows centred per block; 256 rows × 4 columns × 8 bytes = one 8 KB panel, two fit in L1. */
const ROWS_PER_BLOCK = 256;

/** Exported so the JS side sizes the panel scratch from the same constant. */
export function crossProductBlockRows(): i32 {
  return ROWS_PER_BLOCK;
}

/**
 * acc (dp×dp f64, dp = d rounded up to a multiple of 4) += Σ_i (x_i − mean)(x_i − mean)ᵀ over
 * the n ≤ ROWS_PER_BLOCK rows of x (n×d f32), on and above the diagonal 4×4 tiles only.
 *
 * The rows are centred into f64 "panels" (4 columns each, row after row; ROWS_PER_BLOCK·dp f64
 * of scratch) so the 4×4 micro-kernel streams two contiguous panels. The JS side calls this
 * once per block, which also lets V8 swap in optimised code between calls (WebAssembly has no
 * on-stack replacement), and then mirrors acc with symmetrize().
 */
export function crossProductBlock(x: usize, n: i32, d: i32, mean: usize, panels: usize, acc: usize): void {
  const dp = (d + 3) & ~3;
  const tiles = dp >> 2;
  const panelBytes = (<usize>ROWS_PER_BLOCK) << 5;
  // Padding columns and rows beyond n must read as zero.
  memory.fill(panels, 0, panelBytes * <usize>tiles);
  for (let r = 0; r < n; r++) {
    const row = f32At(x, r * d);
    for (let t = 0; t < d; t++) {
      const centred = <f64>load<f32>(f32At(row, t)) - load<f64>(f64At(mean, t));
      store<f64>(panels + <usize>(t >> 2) * panelBytes + ((<usize>(r * 4 + (t & 3))) << 3), centred);
    }
  }
  for (let p = 0; p < tiles; p++) {
    for (let q = p; q < tiles; q++) {
      tile(
        panels + <usize>p * panelBytes,
        panels + <usize>q * panelBytes,
        n,
        f64At(acc, (p * dp + q) << 2),
        dp,
      );
    }
  }
}

/** out (d×d) ← the upper triangle of acc (row stride dp), mirrored into the lower one. */
export function symmetrize(acc: usize, d: i32, out: usize): void {
  const dp = (d + 3) & ~3;
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      const v = load<f64>(f64At(acc, p * dp + q));
      store<f64>(f64At(out, p * d + q), v);
      store<f64>(f64At(out, q * d + p), v);
    }
  }
}

/** acc[4×4 tile at c, row stride dp] += Σ_r a_rᵀ b_r over two 4-column panels. */
function tile(a: usize, b: usize, rows: i32, c: usize, dp: i32): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  const end = (<usize>rows) << 5;
  for (let o: usize = 0; o < end; o += 32) {
    const b0 = v128.load(b + o);
    const b1 = v128.load(b + o, 16);
    const a0 = v128.load64_splat(a + o);
    const a1 = v128.load64_splat(a + o, 8);
    const a2 = v128.load64_splat(a + o, 16);
    const a3 = v128.load64_splat(a + o, 24);
    c00 = f64x2.add(c00, f64x2.mul(a0, b0));
    c01 = f64x2.add(c01, f64x2.mul(a0, b1));
    c10 = f64x2.add(c10, f64x2.mul(a1, b0));
    c11 = f64x2.add(c11, f64x2.mul(a1, b1));
    c20 = f64x2.add(c20, f64x2.mul(a2, b0));
    c21 = f64x2.add(c21, f64x2.mul(a2, b1));
    c30 = f64x2.add(c30, f64x2.mul(a3, b0));
    c31 = f64x2.add(c31, f64x2.mul(a3, b1));
  }
  const stride = (<usize>dp) << 3;
  addTo(c, c00, c01);
  addTo(c + stride, c10, c11);
  addTo(c + 2 * stride, c20, c21);
  addTo(c + 3 * stride, c30, c31);
}

function addTo(p: usize, lo: v128, hi: v128): void {
  v128.store(p, f64x2.add(v128.load(p), lo));
  v128.store(p, f64x2.add(v128.load(p, 16), hi), 16);
}
