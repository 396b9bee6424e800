/**
 * Seeded synthetic face-like embeddings for demos, tests and benchmarks: a low-rank latent
 * factor model (a few strong directions with decaying variance, like real embedding spectra)
 * plus isotropic noise, L2-normalised like the output of an embedder. A drift is a shift of the
 * latent mean, a change of the noise level, or both.
 */
import { seededRng } from "./numeric/random.ts";

export interface SyntheticSpec {
  dimension: number;
  /** Latent factors (default 16). */
  factors?: number;
  /** Seed of the model itself: the same seed gives the same "population". */
  modelSeed?: number;
}

export interface SyntheticShift {
  /** Added to every latent factor's mean, in units of that factor's standard deviation. */
  latentShift?: number;
  /** Multiplies the noise standard deviation (1 = unchanged). */
  noiseScale?: number;
}

export interface SyntheticModel {
  dimension: number;
  /** n embeddings (row-major, f32, unit length) drawn with `seed`, optionally shifted. */
  sample(n: number, seed: number, shift?: SyntheticShift): Float32Array;
}

export function syntheticModel({ dimension, factors = 16, modelSeed = 1 }: SyntheticSpec): SyntheticModel {
  const rng = seededRng(modelSeed);
  const normal = gaussian(rng);
  const loadings = Float64Array.from({ length: factors * dimension }, () => normal() / Math.sqrt(dimension));
  const scales = Float64Array.from({ length: factors }, (_, f) => 3 * 0.85 ** f);
  const baseMean = Float64Array.from({ length: dimension }, () => normal() / Math.sqrt(dimension));
  return {
    dimension,
    sample(n, seed, shift = {}) {
      const draw = gaussian(seededRng(seed));
      const out = new Float32Array(n * dimension);
      const row = new Float64Array(dimension);
      const noise = 0.35 * (shift.noiseScale ?? 1);
      for (let i = 0; i < n; i++) {
        row.set(baseMean);
        for (let f = 0; f < factors; f++) {
          const z = (draw() + (shift.latentShift ?? 0)) * (scales[f] as number);
          for (let t = 0; t < dimension; t++)
            row[t] = (row[t] as number) + z * (loadings[f * dimension + t] as number);
        }
        let norm = 0;
        for (let t = 0; t < dimension; t++) {
          row[t] = (row[t] as number) + (noise * draw()) / Math.sqrt(dimension);
          norm += (row[t] as number) ** 2;
        }
        const inv = 1 / Math.sqrt(norm);
        for (let t = 0; t < dimension; t++) out[i * dimension + t] = (row[t] as number) * inv;
      }
      return out;
    },
  };
}

/** Standard normal draws (Box–Muller) from a uniform RNG. */
function gaussian(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
