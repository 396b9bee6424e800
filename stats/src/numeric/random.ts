/**
 * A small seeded PRNG (mulberry32) for permutation tests and random splits: statistics never use
 * Math.random, so a run is reproducible from its recorded seed.
 */
export type Rng = () => number;

/** Uniform floats in [0, 1) from a 32-bit seed. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes one random labelling per row of `labels` (rows×n): exactly `ones` entries set to 1,
 * chosen uniformly by a partial Fisher–Yates shuffle.
 */
export function randomSubsetLabels(
  labels: Uint8Array,
  rows: number,
  n: number,
  ones: number,
  rng: Rng,
): void {
  const index = Int32Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < ones; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const tmp = index[i] as number;
      index[i] = index[j] as number;
      index[j] = tmp;
      labels[r * n + (index[i] as number)] = 1;
    }
  }
}

/** Shuffles `items` in place (Fisher–Yates, from the end) with `rng`; returns it. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
