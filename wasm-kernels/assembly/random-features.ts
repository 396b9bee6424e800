import { dot } from "./project";

/**
 * out[i·D + f] = scale · cos(Σ_t u[i·c + t]·w[f·c + t] + phase[f]): random Fourier features
 * (Rahimi and Recht, NIPS 2007) of n rows of u (n×c f32), D frequencies w (D×c f32), D phases (f64).
 * The dot product is `project`'s; the cosine is computed here instead of one `Math.cos` call per
 * value in JavaScript.
 */
export function randomFeatures(
  u: usize,
  n: i32,
  c: i32,
  w: usize,
  D: i32,
  phases: usize,
  scale: f64,
  out: usize,
): void {
  const rowBytes = (<usize>c) << 2;
  const D2 = D & ~1;
  for (let i = 0; i < n; i++) {
    const ui = u + <usize>i * rowBytes;
    const row = out + ((<usize>i * <usize>D) << 3);
    // The row's arguments first, then their cosines two at a time: one cosine is a chain of
    // dependent multiply-adds, so independent lanes are what makes it fast.
    for (let f = 0; f < D; f++) {
      const s = dot(ui, w + <usize>f * rowBytes, c);
      store<f64>(row + ((<usize>f) << 3), <f64>s + load<f64>(phases + ((<usize>f) << 3)));
    }
    const scaled = f64x2.splat(scale);
    let f = 0;
    for (; f < D2; f += 2) {
      const p = row + ((<usize>f) << 3);
      v128.store(p, f64x2.mul(scaled, cosines(v128.load(p))));
    }
    for (; f < D; f++) {
      const p = row + ((<usize>f) << 3);
      store<f64>(p, scale * cosine(load<f64>(p)));
    }
  }
}

// fdlibm's cosine (k_cos.c, k_sin.c: |error| < 1 ulp on [−π/4, π/4]) after the medium-size
// reduction of e_rem_pio2.c: x = k·π/2 + r with π/2 in two parts, the first of 33 bits, so k·PIO2_1
// is exact for |k| < 2^20. Larger arguments (and NaN) go to the library cosine.
const INV_PIO2: f64 = 0.6366197723675814;
const PIO2_1: f64 = 1.5707963267341256;
const PIO2_1T: f64 = 6.077100506506192e-11;
const REDUCED_UP_TO: f64 = 524288.0; // 2^19: |k| ≤ 2^19·2/π + 1, well inside 2^20
const C1: f64 = 0.0416666666666666;
const C2: f64 = -0.001388888888887411;
const C3: f64 = 2.480158728947673e-5;
const C4: f64 = -2.7557314351390663e-7;
const C5: f64 = 2.087572321298175e-9;
const C6: f64 = -1.1359647557788195e-11;
const S1: f64 = -0.16666666666666632;
const S2: f64 = 0.00833333333332249;
const S3: f64 = -0.0001984126982985795;
const S4: f64 = 2.7557313707070068e-6;
const S5: f64 = -2.5050760253406863e-8;
const S6: f64 = 1.58969099521155e-10;

export function cosine(x: f64): f64 {
  if (!(Math.abs(x) < REDUCED_UP_TO)) return Math.cos(x);
  const k = nearest(x * INV_PIO2);
  const r = x - k * PIO2_1 - k * PIO2_1T;
  const z = r * r;
  // Quadrant k mod 4: cos, −sin, −cos, sin of r. Both polynomials, then a select: the quadrant
  // is random from value to value, and a branch on it would be mispredicted half the time.
  const quadrant = <i32>(k - 4 * floor(k * 0.25));
  const sin = r + r * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))));
  const hz = 0.5 * z;
  const one = 1.0 - hz;
  const cos = one + (1.0 - one - hz + z * z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6))))));
  const v = select<f64>(sin, cos, quadrant & 1);
  return select<f64>(-v, v, (quadrant + 1) & 2);
}

/** `cosine` of both lanes; a lane past the reduction's range (or NaN) takes the library cosine. */
function cosines(x: v128): v128 {
  const x0 = f64x2.extract_lane(x, 0);
  const x1 = f64x2.extract_lane(x, 1);
  if (!(Math.abs(x0) < REDUCED_UP_TO && Math.abs(x1) < REDUCED_UP_TO))
    return f64x2.replace_lane(f64x2.splat(cosine(x0)), 1, cosine(x1));
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(INV_PIO2)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(PIO2_1))), f64x2.mul(k, f64x2.splat(PIO2_1T)));
  const z = f64x2.mul(r, r);
  // Quadrant q = k mod 4, in floats.
  const q = f64x2.sub(k, f64x2.mul(f64x2.splat(4), f64x2.floor(f64x2.mul(k, f64x2.splat(0.25)))));
  let ps = f64x2.splat(S6);
  ps = f64x2.add(f64x2.splat(S5), f64x2.mul(z, ps));
  ps = f64x2.add(f64x2.splat(S4), f64x2.mul(z, ps));
  ps = f64x2.add(f64x2.splat(S3), f64x2.mul(z, ps));
  ps = f64x2.add(f64x2.splat(S2), f64x2.mul(z, ps));
  ps = f64x2.add(f64x2.splat(S1), f64x2.mul(z, ps));
  const sin = f64x2.add(r, f64x2.mul(f64x2.mul(r, z), ps));
  let pc = f64x2.splat(C6);
  pc = f64x2.add(f64x2.splat(C5), f64x2.mul(z, pc));
  pc = f64x2.add(f64x2.splat(C4), f64x2.mul(z, pc));
  pc = f64x2.add(f64x2.splat(C3), f64x2.mul(z, pc));
  pc = f64x2.add(f64x2.splat(C2), f64x2.mul(z, pc));
  pc = f64x2.add(f64x2.splat(C1), f64x2.mul(z, pc));
  const hz = f64x2.mul(f64x2.splat(0.5), z);
  const one = f64x2.sub(f64x2.splat(1), hz);
  const tail = f64x2.add(f64x2.sub(f64x2.sub(f64x2.splat(1), one), hz), f64x2.mul(f64x2.mul(z, z), pc));
  const cos = f64x2.add(one, tail);
  // Odd quadrants take the sine; quadrants 1 and 2 the negation.
  const odd = f64x2.ne(f64x2.floor(f64x2.mul(q, f64x2.splat(0.5))), f64x2.mul(q, f64x2.splat(0.5)));
  const v = v128.bitselect(sin, cos, odd);
  const negate = v128.or(f64x2.eq(q, f64x2.splat(1)), f64x2.eq(q, f64x2.splat(2)));
  return v128.bitselect(f64x2.neg(v), v, negate);
}
