/**
 * out[i·k + j] = Σ_t x[i·d + t]·w[j·d + t] − offset[j]  (x: n×d f32, w: k×d f32, offset: k f64).
 *
 * The dot product accumulates in four f32x4 registers (16 lanes) and is widened to f64 only at
 * the end: f32 products are what the embeddings carry anyway, and this is the 1M rows/s path.
 */
export function project(x: usize, n: i32, d: i32, w: usize, k: i32, offset: usize, out: usize): void {
  const rowBytes = (<usize>d) << 2;
  for (let i = 0; i < n; i++) {
    const xi = x + <usize>i * rowBytes;
    for (let j = 0; j < k; j++) {
      const s = dot(xi, w + <usize>j * rowBytes, d);
      store<f64>(
        out + ((<usize>i * <usize>k + <usize>j) << 3),
        <f64>s - load<f64>(offset + ((<usize>j) << 3)),
      );
    }
  }
}

/**
 * Σ_t a[t]·b[t] over d f32 values: four f32x4 accumulators (16 lanes), then the remainder.
 * `randomFeatures` uses it too, so its arguments are `project`'s numbers bit for bit.
 */
export function dot(a: usize, b: usize, d: i32): f32 {
  const d16 = d & ~15;
  const d4 = d & ~3;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let t = 0;
  for (; t < d16; t += 16) {
    const o = (<usize>t) << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(a + o, 32), v128.load(b + o, 32)));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(a + o, 48), v128.load(b + o, 48)));
  }
  for (; t < d4; t += 4) {
    const o = (<usize>t) << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  const acc = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  let s: f32 =
    f32x4.extract_lane(acc, 0) +
    f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) +
    f32x4.extract_lane(acc, 3);
  for (; t < d; t++) {
    const o = (<usize>t) << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}
