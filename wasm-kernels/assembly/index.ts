// Entry point compiled by scripts/build.mjs. Every kernel takes byte offsets into linear memory
// plus sizes; the JS side (src/wasm/instance.ts) owns the layout, so nothing here allocates.
export { centeredCrossProduct, columnMeans, crossProductBlockRows } from "./covariance";
export { groupSumsF32, groupSumsF64 } from "./group-sums";
export { histogram, histogramColumns } from "./histogram";
export { heapBase } from "./memory";
export { pairwiseSquaredDistances } from "./pairwise-squared-distances";
export { project } from "./project";
export { rbfGram } from "./rbf-gram";
