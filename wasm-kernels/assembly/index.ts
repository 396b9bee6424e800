// Entry point compiled by scripts/build.mjs. Every kernel takes byte offsets into linear memory
// plus sizes; the JS side (src/wasm/instance.ts) owns the layout, so nothing here allocates.
// Outputs that accumulate (sums, counts, acc) are zeroed by the caller, which drives big jobs
// in slices: V8 starts every function in its baseline compiler and, lacking on-stack
// replacement for WebAssembly, only uses the optimised code from the next call on.
export { columnSums, crossProductBlock, crossProductBlockRows, symmetrize } from "./covariance";
export { groupSumsF32, groupSumsF64, shiftF32 } from "./group-sums";
export { histogram, histogramColumns } from "./histogram";
export { heapBase } from "./memory";
export { distanceRows, widenRows } from "./pairwise-squared-distances";
export { project } from "./project";
export { randomFeatures } from "./random-features";
export { rbfGram } from "./rbf-gram";
