import { check } from "../validate.ts";
import { project } from "./project.ts";

/** Plain TypeScript `randomFeatures` (see Kernels.randomFeatures): dot products in f64, `Math.cos`. */
export function randomFeatures(
  u: Float32Array,
  n: number,
  c: number,
  w: Float32Array,
  D: number,
  phases: Float64Array,
  scale: number,
): Float64Array {
  check.randomFeatures(u, n, c, w, D, phases, scale);
  // The projection subtracts its offset, so −phase adds the phase.
  const minusPhases = Float64Array.from(phases, (b) => -b);
  return fallbackRandomFeaturesCosines(project(u, n, c, w, D, minusPhases), scale);
}

/** In place: each argument a ← scale·cos(a); returns the array. */
export function fallbackRandomFeaturesCosines(argument: Float64Array, scale: number): Float64Array {
  for (let i = 0; i < argument.length; i++) argument[i] = scale * Math.cos(argument[i] as number);
  return argument;
}
