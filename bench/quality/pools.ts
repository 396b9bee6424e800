/**
 * @module
 * Cached embeddings as row-major matrices ("pools") that the experiments resample from: the
 * reference (clean photos of reference people), the in-distribution pool (clean photos of held-out
 * people) and one pool per shift (shifted photos of held-out people). An image whose face the
 * shift hid from the detector is not in its pool; the count is reported beside the pool.
 */
import type { CachedSet } from "./cache.ts";

export interface Pool {
  images: string[];
  /** n×d row-major, L2-normalised (the pipeline's output). */
  x: Float32Array;
  n: number;
  d: number;
  /** Requested images with no face found. */
  noFace: number;
  /** Requested images not yet extracted. */
  missing: number;
}

export function poolFrom(set: CachedSet, images: readonly string[]): Pool {
  const found = images.filter((im) => set.embeddings.has(im));
  const d = found.length ? (set.embeddings.get(found[0] as string) as Float32Array).length : 0;
  const x = new Float32Array(found.length * d);
  found.forEach((im, i) => {
    x.set(set.embeddings.get(im) as Float32Array, i * d);
  });
  const noFace = images.filter((im) => set.noFace.has(im)).length;
  return { images: found, x, n: found.length, d, noFace, missing: images.length - found.length - noFace };
}

/** The rows of `pool` whose image satisfies `keep`. */
export function subPool(pool: Pool, keep: (image: string) => boolean): Pool {
  const rows = pool.images.flatMap((im, i) => (keep(im) ? [i] : []));
  const x = new Float32Array(rows.length * pool.d);
  rows.forEach((r, i) => {
    x.set(pool.x.subarray(r * pool.d, (r + 1) * pool.d), i * pool.d);
  });
  return {
    images: rows.map((r) => pool.images[r] as string),
    x,
    n: rows.length,
    d: pool.d,
    noFace: 0,
    missing: 0,
  };
}
