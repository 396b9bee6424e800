// Seeded inputs for the parity tests and the benchmarks (never used by the kernels).

/** mulberry32: a tiny deterministic PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `length` floats uniform in [−scale, scale). */
export function uniformFloat32(length: number, seed: number, scale = 1): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}

/** P rows of n labels, each a seeded random split with `ones` ones (a permutation test's groups). */
export function randomSplits(n: number, ones: number, p: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const labels = new Uint8Array(p * n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let perm = 0; perm < p; perm++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const swap = order[i] as number;
      order[i] = order[j] as number;
      order[j] = swap;
    }
    for (let i = 0; i < ones; i++) labels[perm * n + (order[i] as number)] = 1;
  }
  return labels;
}
