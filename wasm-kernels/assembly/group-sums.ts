import { f64At } from "./memory";

// s_p = z_pᵀ K z_p for P 0/1 label vectors z_p: a blocked product K·Z over the upper triangle,
// s_p = Σ_i z_p[i]·(K_ii + 2·Σ_{j>i} K_ij z_p[j]). Each pass handles a block of permutations
// so that every row of K is read once per block instead of once per permutation. Z is stored
// as lane masks (all ones / zero), applied with v128.and: same result as multiplying by 1/0.

/**
 * Scratch for groupSumsF64: n·8 f64 masks plus 64 bytes. Rows go in pairs (i, i+1) that share
 * each mask load, which also gives eight independent add chains instead of four.
 */
export function groupSumsF64(k: usize, n: i32, labels: usize, p: i32, masks: usize, out: usize): void {
  const rowBytes = (<usize>n) << 3;
  for (let p0 = 0; p0 < p; p0 += 8) {
    fillMasks(labels, n, p0, min(8, p - p0), 8, 8, masks);
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const zi = masks + ((<usize>i) << 6);
      const x0 = v128.load(zi);
      const x1 = v128.load(zi, 16);
      const x2 = v128.load(zi, 32);
      const x3 = v128.load(zi, 48);
      const y0 = v128.load(zi, 64);
      const y1 = v128.load(zi, 80);
      const y2 = v128.load(zi, 96);
      const y3 = v128.load(zi, 112);
      const any = v128.or(
        v128.or(v128.or(x0, x1), v128.or(x2, x3)),
        v128.or(v128.or(y0, y1), v128.or(y2, y3)),
      );
      if (!v128.any_true(any)) continue;
      const rowA = f64At(k, i * n);
      const rowB = rowA + rowBytes;
      // Row i's entry (i, i+1) is outside the shared loop, which starts at j = i + 2.
      const kab = v128.load64_splat(f64At(rowA, i + 1));
      let a0 = v128.and(kab, y0);
      let a1 = v128.and(kab, y1);
      let a2 = v128.and(kab, y2);
      let a3 = v128.and(kab, y3);
      let b0 = f64x2.splat(0);
      let b1 = f64x2.splat(0);
      let b2 = f64x2.splat(0);
      let b3 = f64x2.splat(0);
      for (let j = i + 2; j < n; j++) {
        const ka = v128.load64_splat(f64At(rowA, j));
        const kb = v128.load64_splat(f64At(rowB, j));
        const zj = masks + ((<usize>j) << 6);
        const m0 = v128.load(zj);
        const m1 = v128.load(zj, 16);
        const m2 = v128.load(zj, 32);
        const m3 = v128.load(zj, 48);
        a0 = f64x2.add(a0, v128.and(ka, m0));
        a1 = f64x2.add(a1, v128.and(ka, m1));
        a2 = f64x2.add(a2, v128.and(ka, m2));
        a3 = f64x2.add(a3, v128.and(ka, m3));
        b0 = f64x2.add(b0, v128.and(kb, m0));
        b1 = f64x2.add(b1, v128.and(kb, m1));
        b2 = f64x2.add(b2, v128.and(kb, m2));
        b3 = f64x2.add(b3, v128.and(kb, m3));
      }
      const kaa = v128.load64_splat(f64At(rowA, i));
      const kbb = v128.load64_splat(f64At(rowB, i + 1));
      s0 = f64x2.add(s0, v128.and(x0, f64x2.add(kaa, f64x2.add(a0, a0))));
      s1 = f64x2.add(s1, v128.and(x1, f64x2.add(kaa, f64x2.add(a1, a1))));
      s2 = f64x2.add(s2, v128.and(x2, f64x2.add(kaa, f64x2.add(a2, a2))));
      s3 = f64x2.add(s3, v128.and(x3, f64x2.add(kaa, f64x2.add(a3, a3))));
      s0 = f64x2.add(s0, v128.and(y0, f64x2.add(kbb, f64x2.add(b0, b0))));
      s1 = f64x2.add(s1, v128.and(y1, f64x2.add(kbb, f64x2.add(b1, b1))));
      s2 = f64x2.add(s2, v128.and(y2, f64x2.add(kbb, f64x2.add(b2, b2))));
      s3 = f64x2.add(s3, v128.and(y3, f64x2.add(kbb, f64x2.add(b3, b3))));
    }
    if (i < n) {
      // Odd n: the last row has no entries right of its diagonal.
      const zi = masks + ((<usize>i) << 6);
      const kii = v128.load64_splat(f64At(k, i * n + i));
      s0 = f64x2.add(s0, v128.and(kii, v128.load(zi)));
      s1 = f64x2.add(s1, v128.and(kii, v128.load(zi, 16)));
      s2 = f64x2.add(s2, v128.and(kii, v128.load(zi, 32)));
      s3 = f64x2.add(s3, v128.and(kii, v128.load(zi, 48)));
    }
    storeSums(out, p0, p, s0, s1, s2, s3, masks + ((<usize>n) << 6));
  }
}

/** Inner f32 sums are flushed to f64 every FLUSH columns to bound their rounding error. */
const FLUSH = 8;

/**
 * The same on an f32 copy of K, 16 permutations per pass in four f32x4 registers; row sums are
 * flushed into f64 every FLUSH columns and the s_p are accumulated in f64. The JS side first
 * centres K with shiftF32 so that these partial sums stay small; out[p] gets shift·|X_p|² added
 * back, which is what the centred entries lack. Scratch: n·16 i32 masks plus 128 bytes.
 */
export function groupSumsF32(
  k: usize,
  n: i32,
  labels: usize,
  p: i32,
  masks: usize,
  out: usize,
  shift: f64,
): void {
  for (let p0 = 0; p0 < p; p0 += 16) {
    fillMasks(labels, n, p0, min(16, p - p0), 16, 4, masks);
    // s[0..16) as eight f64x2 accumulators, kept in memory after the masks (n·64 bytes).
    const s = masks + ((<usize>n) << 6);
    memory.fill(s, 0, 128);
    for (let i = 0; i < n; i++) {
      const zi = masks + ((<usize>i) << 6);
      const z0 = v128.load(zi);
      const z1 = v128.load(zi, 16);
      const z2 = v128.load(zi, 32);
      const z3 = v128.load(zi, 48);
      if (!v128.any_true(v128.or(v128.or(z0, z1), v128.or(z2, z3)))) continue;
      const row = k + ((<usize>i * <usize>n) << 2);
      // Row term in f64: K_ii once, then twice each flushed partial sum of the upper triangle.
      let r0 = f64x2.splat(<f64>load<f32>(row + ((<usize>i) << 2)));
      let r1 = r0;
      let r2 = r0;
      let r3 = r0;
      let r4 = r0;
      let r5 = r0;
      let r6 = r0;
      let r7 = r0;
      for (let j0 = i + 1; j0 < n; j0 += FLUSH) {
        const jEnd = min(n, j0 + FLUSH);
        let a0 = f32x4.splat(0);
        let a1 = f32x4.splat(0);
        let a2 = f32x4.splat(0);
        let a3 = f32x4.splat(0);
        for (let j = j0; j < jEnd; j++) {
          const kij = v128.load32_splat(row + ((<usize>j) << 2));
          const zj = masks + ((<usize>j) << 6);
          a0 = f32x4.add(a0, v128.and(kij, v128.load(zj)));
          a1 = f32x4.add(a1, v128.and(kij, v128.load(zj, 16)));
          a2 = f32x4.add(a2, v128.and(kij, v128.load(zj, 32)));
          a3 = f32x4.add(a3, v128.and(kij, v128.load(zj, 48)));
        }
        a0 = f32x4.add(a0, a0);
        a1 = f32x4.add(a1, a1);
        a2 = f32x4.add(a2, a2);
        a3 = f32x4.add(a3, a3);
        r0 = f64x2.add(r0, f64x2.promote_low_f32x4(a0));
        r1 = f64x2.add(r1, f64x2.promote_low_f32x4(i32x4.shuffle(a0, a0, 2, 3, 0, 1)));
        r2 = f64x2.add(r2, f64x2.promote_low_f32x4(a1));
        r3 = f64x2.add(r3, f64x2.promote_low_f32x4(i32x4.shuffle(a1, a1, 2, 3, 0, 1)));
        r4 = f64x2.add(r4, f64x2.promote_low_f32x4(a2));
        r5 = f64x2.add(r5, f64x2.promote_low_f32x4(i32x4.shuffle(a2, a2, 2, 3, 0, 1)));
        r6 = f64x2.add(r6, f64x2.promote_low_f32x4(a3));
        r7 = f64x2.add(r7, f64x2.promote_low_f32x4(i32x4.shuffle(a3, a3, 2, 3, 0, 1)));
      }
      // Widen the 32-bit lane masks of perms (0,1), (2,3), … to 64-bit masks for the f64 sums.
      addMasked(s, 0, r0, z0, 0);
      addMasked(s, 16, r1, z0, 1);
      addMasked(s, 32, r2, z1, 0);
      addMasked(s, 48, r3, z1, 1);
      addMasked(s, 64, r4, z2, 0);
      addMasked(s, 80, r5, z2, 1);
      addMasked(s, 96, r6, z3, 0);
      addMasked(s, 112, r7, z3, 1);
    }
    for (let b = 0; b < min(16, p - p0); b++) {
      const members = <f64>countMembers(labels + <usize>(p0 + b) * <usize>n, n);
      store<f64>(f64At(out, p0 + b), load<f64>(f64At(s, b)) + shift * members * members);
    }
  }
}

function addMasked(s: usize, offset: usize, r: v128, z: v128, half: i32): void {
  const wide = half === 0 ? i64x2.extend_low_i32x4_s(z) : i64x2.extend_high_i32x4_s(z);
  v128.store(s + offset, f64x2.add(v128.load(s + offset), v128.and(wide, r)));
}

function countMembers(z: usize, n: i32): i32 {
  let count = 0;
  for (let j = 0; j < n; j++) if (load<u8>(z + <usize>j) !== 0) count++;
  return count;
}

/**
 * masks[j·lanes + b] (lanes of `bytes` bytes) = all ones when permutation p0 + b puts point j in
 * group X; lanes beyond `count` stay zero so a partial last block contributes nothing.
 */
function fillMasks(labels: usize, n: i32, p0: i32, count: i32, lanes: i32, bytes: i32, masks: usize): void {
  memory.fill(masks, 0, <usize>n * <usize>lanes * <usize>bytes);
  for (let b = 0; b < count; b++) {
    const z = labels + <usize>(p0 + b) * <usize>n;
    for (let j = 0; j < n; j++) {
      if (load<u8>(z + <usize>j) === 0) continue;
      const lane = masks + <usize>(j * lanes + b) * <usize>bytes;
      if (bytes === 8) store<u64>(lane, u64.MAX_VALUE);
      else store<u32>(lane, u32.MAX_VALUE);
    }
  }
}

/** Writes the first min(8, p − p0) lanes of s0…s3 to out[p0…], staging them after the masks. */
function storeSums(out: usize, p0: i32, p: i32, s0: v128, s1: v128, s2: v128, s3: v128, stage: usize): void {
  v128.store(stage, s0);
  v128.store(stage, s1, 16);
  v128.store(stage, s2, 32);
  v128.store(stage, s3, 48);
  const count = min(8, p - p0);
  for (let b = 0; b < count; b++) store<f64>(f64At(out, p0 + b), load<f64>(f64At(stage, b)));
}

/**
 * In place k[i] ← f32(k[i] − shift). Summing K − c instead of K keeps the f32 partial sums of
 * groupSumsF32 small, and with them their rounding error; the caller adds c·|X|² back in f64.
 */
export function shiftF32(k: usize, length: i32, shift: f64): void {
  for (let i = 0; i < length; i++) {
    const p = k + ((<usize>i) << 2);
    store<f32>(p, <f32>(<f64>load<f32>(p) - shift));
  }
}
