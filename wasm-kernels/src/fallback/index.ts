// The plain TypeScript backend, declared openly (tfjs's kernel_utils/shared.ts): used where
// WebAssembly SIMD is missing, and as the baseline of every benchmark and parity test.
import type { Kernels } from "../kernels.ts";
import { centeredCrossProduct, columnMeans } from "./covariance.ts";
import { groupSums } from "./group-sums.ts";
import { histogram, histogramColumns } from "./histogram.ts";
import { pairwiseSquaredDistances } from "./pairwise-squared-distances.ts";
import { project } from "./project.ts";
import { randomFeatures } from "./random-features.ts";
import { rbfGram } from "./rbf-gram.ts";

/** Every kernel in plain TypeScript. */
export const fallbackKernels: Kernels = {
  name: "typescript",
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
