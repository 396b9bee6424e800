// The WebAssembly SIMD backend: each kernel's glue (one file per kernel, named as its
// assembly/ source and its src/fallback/ twin) over the shared instance in instance.ts.
import type { Kernels } from "../kernels.ts";
import { centeredCrossProduct, columnMeans } from "./covariance.ts";
import { groupSums } from "./group-sums.ts";
import { histogram, histogramColumns } from "./histogram.ts";
import { wasmArena } from "./instance.ts";
import { pairwiseSquaredDistances } from "./pairwise-squared-distances.ts";
import { project } from "./project.ts";
import { randomFeatures } from "./random-features.ts";
import { rbfGram } from "./rbf-gram.ts";

const kernels: Kernels = {
  name: "wasm-simd",
  project,
  randomFeatures,
  pairwiseSquaredDistances,
  rbfGram,
  histogram,
  histogramColumns,
  columnMeans,
  centeredCrossProduct,
  groupSums,
};

/** The WASM kernels; instantiates the module on first call (synchronously, a few KB). */
export function wasmKernels(): Kernels {
  wasmArena();
  return kernels;
}
