import { check } from "../validate.ts";

/** Plain TypeScript `rbfGram`: in place d2[i] ← exp(−d2[i] / (2σ²)). */
export function rbfGram(d2: Float64Array, sigmaSq: number): Float64Array {
  check.rbfGram(sigmaSq);
  const twoSigmaSq = 2 * sigmaSq;
  for (let i = 0; i < d2.length; i++) d2[i] = Math.exp(-(d2[i] as number) / twoSigmaSq);
  return d2;
}
