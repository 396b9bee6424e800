/**
 * out[i·k + j] = Σ_t x[i·d + t]·w[j·d + t] − offset[j]  (x: n×d f32, w: k×d f32, offset: k f64).
 *
 * The dot product accumulates in four f32x4 registers (16 lanes) and is widened to f64 only at
 * the end: f32 products are what the embeddings carry anyway, and this is the 1M rows/s path.
 */
export function project(x: usize, n: i32, d: i32, w: usize, k: i32, offset: usize, out: usize): void {
  const d16 = d & ~15;
  const d4 = d & ~3;
  const rowBytes = (<usize>d) << 2;
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * rowBytes;
    for (let j = 0; j < k; j++) {
      const wj = w + <usize>j * rowBytes;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let a2 = f32x4.splat(0);
      let a3 = f32x4.splat(0);
      let t = 0;
      for (; t < d16; t += 16) {
        const o = (<usize>t) << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(xi + o), v128.load(wj + o)));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(xi + o, 16), v128.load(wj + o, 16)));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(xi + o, 32), v128.load(wj + o, 32)));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(xi + o, 48), v128.load(wj + o, 48)));
      }
      for (; t < d4; t += 4) {
        const o = (<usize>t) << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(xi + o), v128.load(wj + o)));
      }
      const a = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
      let s: f32 =
        f32x4.extract_lane(a, 0) +
        f32x4.extract_lane(a, 1) +
        f32x4.extract_lane(a, 2) +
        f32x4.extract_lane(a, 3);
      for (; t < d; t++) {
        const o = (<usize>t) << 2;
        s += load<f32>(xi + o) * load<f32>(wj + o);
      }
      store<f64>(
        out + ((<usize>i * <usize>k + <usize>j) << 3),
        <f64>s - load<f64>(offset + ((<usize>j) << 3)),
      );
    }
  }
}
