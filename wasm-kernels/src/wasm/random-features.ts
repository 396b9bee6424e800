import { fallbackRandomFeaturesCosines } from "../fallback/random-features.ts";
import { check } from "../validate.ts";
import { inSlices, wasmArena } from "./instance.ts";
import { project } from "./project.ts";

/** Rows per call: 256 rows of u and their features stay in L2 (see project.ts). */
const SLICE_ROWS = 256;

/** WASM `randomFeatures` (assembly/random-features.ts): `project`'s dot products, the cosine in WASM. */
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
  const arena = wasmArena();
  const kernel = arena.exports.randomFeatures;
  // A build from before this kernel (build/ is not committed: a worktree that merged the source
  // without `npm run build -w wasm-kernels`): the WASM projection and the cosines in JavaScript,
  // which is what every caller did before, instead of refusing the whole module.
  if (!kernel) return fallbackRandomFeaturesCosines(project(u, n, c, w, D, negated(phases)), scale);
  arena.reset();
  const slicePtr = arena.alloc(Math.min(n, SLICE_ROWS) * c * 4);
  const wPtr = arena.copyIn(w);
  const phasesPtr = arena.copyIn(phases);
  const outPtr = arena.alloc(n * D * 8);
  inSlices(n, SLICE_ROWS, (row, rows) => {
    arena.write(slicePtr, u.subarray(row * c, (row + rows) * c));
    kernel(slicePtr, rows, c, wPtr, D, phasesPtr, scale, outPtr + row * D * 8);
  });
  return arena.view(Float64Array, outPtr, n * D).slice();
}

const negated = (phases: Float64Array) => Float64Array.from(phases, (b) => -b);
