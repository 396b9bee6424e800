// WASM SIMD kernels against their plain TypeScript fallbacks at the sizes the drift statistics
// use. Inputs are seeded so every run times the same work. The suite takes about 40 s on two
// cores, most of it the TypeScript cross product (the baseline of the exact-PCA goal).
import type { Comparison } from "../../bench/harness.ts";
import { fallbackKernels, type Kernels, wasmKernels } from "../src/index.ts";
import { randomSplits, uniformFloat32 as uniform } from "../src/testing/random.ts";

/** Builds the inputs lazily, so they are garbage once the runner moves to the next suite. */
export default async function kernelComparisons(): Promise<Comparison[]> {
  const wasm = wasmKernels();
  const ts = fallbackKernels;

  const D = 512;

  // project: 100k embeddings on PC1 (k = 1), the streaming hot path before ADWIN.
  const projectN = 100_000;
  const embeddings = uniform(projectN * D, 1);
  const pc1 = uniform(D, 2);
  const centre = new Float64Array([0.25]);

  // pairwise distances and the permutation sums of MMD: 500 vs 500 pooled.
  const mmdN = 1000;
  const pooled = uniform(mmdN * D, 3);
  const permutations = 1000;
  const gram = fallbackKernels.rbfGram(fallbackKernels.pairwiseSquaredDistances(pooled, mmdN, D), D / 3);
  const gram32 = new Float32Array(gram);
  // Each permutation: a seeded random split into 500 + 500.
  const labels = randomSplits(mmdN, mmdN / 2, permutations, 4);

  /** The kernel work of one MMD permutation test (the σ median and the p-value are not kernels). */
  function mmdSums(k: Kernels): Float64Array {
    const d2 = k.pairwiseSquaredDistances(pooled, mmdN, D);
    return k.groupSums(k.rbfGram(d2, D / 3), mmdN, labels, permutations);
  }

  // histogram: 1M PCA scores into deciles (9 interior edges, 10 bins).
  const scores = Float64Array.from(uniform(1_000_000, 5));
  const deciles = new Float64Array([-0.8, -0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8]);

  // covariance: the exact PCA of 50,000 × 512.
  const covN = 50_000;
  const sample = uniform(covN * D, 6);
  const sampleMean = wasm.columnMeans(sample, covN, D);

  return [
    {
      id: "wasm-kernels.project",
      title: "project 100k × 512 embeddings on PC1",
      work: projectN,
      unit: "embeddings",
      baseline: {
        name: "TypeScript f64 loop",
        run: () => ts.project(embeddings, projectN, D, pc1, 1, centre),
      },
      candidate: {
        name: "wasm-simd f32x4",
        run: () => wasm.project(embeddings, projectN, D, pc1, 1, centre),
      },
      goal: { unitsPerSecondAtLeast: 1_000_000, text: "≥ 1M 512-D embeddings/s projected on PC1" },
    },
    {
      id: "wasm-kernels.pairwiseSquaredDistances",
      title: "pairwise squared distances 1000 × 512 (f64)",
      work: (mmdN * (mmdN - 1)) / 2,
      unit: "pairs",
      baseline: { name: "TypeScript f64 loop", run: () => ts.pairwiseSquaredDistances(pooled, mmdN, D) },
      candidate: {
        name: "wasm-simd f64x2 2×2 blocks",
        run: () => wasm.pairwiseSquaredDistances(pooled, mmdN, D),
      },
      repeats: 3,
    },
    {
      id: "wasm-kernels.groupSums.f64",
      title: "MMD permutation sums, n = 1000, P = 1000, f64 kernel",
      work: permutations,
      unit: "permutations",
      baseline: {
        name: "TypeScript gather per permutation",
        run: () => ts.groupSums(gram, mmdN, labels, permutations),
      },
      candidate: {
        name: "wasm-simd f64x2 K·Z, 8 per pass",
        run: () => wasm.groupSums(gram, mmdN, labels, permutations),
      },
      goal: { secondsAtMost: 0.4, text: "1000 permutations of n = 1000 in < 0.4 s" },
      repeats: 2,
    },
    {
      id: "wasm-kernels.groupSums.f32",
      title: "MMD permutation sums, n = 1000, P = 1000, f32 kernel copy",
      work: permutations,
      unit: "permutations",
      baseline: {
        name: "TypeScript gather per permutation",
        run: () => ts.groupSums(gram32, mmdN, labels, permutations),
      },
      candidate: {
        name: "wasm-simd f32x4 K·Z, 16 per pass",
        run: () => wasm.groupSums(gram32, mmdN, labels, permutations),
      },
      goal: { secondsAtMost: 0.4, text: "1000 permutations of n = 1000 in < 0.4 s" },
      repeats: 2,
    },
    {
      id: "wasm-kernels.mmdPermutations",
      title: "MMD 500 vs 500 × 512: distances, RBF Gram, 1000 permutation sums (f64)",
      work: 1,
      unit: "tests",
      baseline: { name: "TypeScript kernels", run: () => mmdSums(ts) },
      candidate: { name: "wasm-simd kernels", run: () => mmdSums(wasm) },
      goal: { secondsAtMost: 0.5, text: "MMD with 1000 permutations ≤ 0.5 s including the Gram matrix" },
      repeats: 1,
    },
    {
      id: "wasm-kernels.histogram",
      title: "histogram of 1M values into 10 bins",
      work: scores.length,
      unit: "values",
      baseline: { name: "TypeScript binary search", run: () => ts.histogram(scores, deciles) },
      candidate: { name: "wasm-simd f64x2 edge count", run: () => wasm.histogram(scores, deciles) },
    },
    {
      id: "wasm-kernels.centeredCrossProduct",
      title: "centred cross product 50,000 × 512 (exact PCA)",
      work: covN,
      unit: "rows",
      baseline: {
        name: "TypeScript f64, 4 rows per pass",
        run: () => ts.centeredCrossProduct(sample, covN, D, sampleMean),
      },
      candidate: {
        name: "wasm-simd f64x2 4×4 tiles",
        run: () => wasm.centeredCrossProduct(sample, covN, D, sampleMean),
      },
      goal: { secondsAtMost: 1.5, text: "≤ 1.5 s for 50,000 × 512 (half the 3 s PCA budget)" },
      repeats: 1,
    },
  ];
}
