// The drift statistics at the sizes of the speed goals. Each candidate is the product
// path; each baseline runs in the same process on the same seeded data.
import { fallbackKernels, kernels } from "@facedrift/wasm-kernels";
import type { Comparison } from "../../bench/harness.ts";
import { Adwin } from "../src/adwin.ts";
import { checkPeople } from "../src/detectors/people-check.ts";
import { detailTest, fitResidualLevel } from "../src/detectors/residual-level.ts";
import { mmd } from "../src/mmd.ts";
import { seededRng } from "../src/numeric/random.ts";
import { fitPca } from "../src/pca.ts";
import { personMmd } from "../src/person-mmd.ts";

const rng = seededRng(20261126);
const gaussianish = (length: number, shift = 0) =>
  Float32Array.from({ length }, () => rng() + rng() + rng() - 1.5 + shift);

// ADWIN: 1M values with a mean shift half-way, River's default parameters.
const adwinValues = Float64Array.from(gaussianish(1_000_000).map((v, i) => v + (i > 500_000 ? 0.3 : 0)));
let sink = 0;

// Streaming hot path: 100k 512-D embeddings projected on PC1 and fed to ADWIN, 10 passes = 1M.
const D = 512;
const streamN = 100_000;
const embeddings = gaussianish(streamN * D);
const pc1 = Float32Array.from(gaussianish(D), (v) => v / Math.sqrt(D));
const offset = Float64Array.of(0.01);
const streamPasses = 10;
function streamPc1(kernelSet: typeof fallbackKernels): void {
  const adwin = new Adwin();
  for (let pass = 0; pass < streamPasses; pass++) {
    const scores = kernelSet.project(embeddings, streamN, D, pc1, 1, offset);
    for (let i = 0; i < streamN; i++) adwin.update(scores[i] as number);
  }
  sink += adwin.summary().width;
}

// MMD: 500 reference vs 500 new, 512-D, 1,000 permutations.
const mmdX = gaussianish(500 * D);
const mmdY = gaussianish(500 * D, 0.02);
// The people check's reference: no two rows merge (threshold above any cosine), its worst case.
// The reference's PCA and residual level (fitted once, as at reference fit time).
const detailPca = fitPca(mmdX, 500, D, 10);
const detailLevel = (() => {
  const level = fitResidualLevel(mmdX, 500, D, 10, null, 1);
  if (!level) throw new Error("no residual level");
  return level;
})();
const peopleReference = {
  sample: Float64Array.from(mmdX),
  sampleSize: 500,
  sigma: 20,
  samePersonThreshold: 2,
};
/** A value per row, as a PC1 score would be: the first coordinate. */
const peopleValues = (x: Float32Array) => Float64Array.from({ length: 500 }, (_, i) => x[i * D] as number);

// PCA: exact top-10 of 50,000 × 512.
const pcaN = 50_000;
const pcaX = gaussianish(pcaN * D);

const comparisons: Comparison[] = [
  {
    id: "stats.adwin",
    title: "ADWIN update, 1M values (River defaults)",
    work: adwinValues.length,
    unit: "updates",
    baseline: {
      name: "bare loop over the same values",
      run: () => {
        let s = 0;
        for (let i = 0; i < adwinValues.length; i++) s += adwinValues[i] as number;
        sink += s;
      },
    },
    candidate: {
      name: "Adwin.update",
      run: () => {
        const adwin = new Adwin();
        for (let i = 0; i < adwinValues.length; i++) adwin.update(adwinValues[i] as number);
        sink += adwin.summary().width;
      },
    },
    goal: { unitsPerSecondAtLeast: 5_000_000, text: "≥ 5M updates/s (River's compiled ADWIN: ~3.5M/s here)" },
  },
  {
    id: "stats.pc1-adwin",
    title: "project 512-D embeddings on PC1 + ADWIN, 1M embeddings, one core",
    work: streamN * streamPasses,
    unit: "embeddings",
    baseline: { name: "TypeScript projection + ADWIN", run: () => streamPc1(fallbackKernels) },
    candidate: { name: "WASM SIMD projection + ADWIN", run: () => streamPc1(kernels()) },
    goal: { unitsPerSecondAtLeast: 1_000_000, text: "≥ 1M 512-D embeddings/s" },
  },
  {
    id: "stats.mmd",
    title: "MMD² 500 vs 500 × 512-D with 1,000 permutations",
    work: 1,
    unit: "tests",
    repeats: 3,
    baseline: {
      name: "TypeScript kernels (gather per permutation)",
      run: () => mmd(mmdX, 500, mmdY, 500, D, { permutations: 1000, seed: 1, kernels: fallbackKernels }),
    },
    candidate: {
      name: "WASM SIMD Gram + batched group sums",
      run: () => mmd(mmdX, 500, mmdY, 500, D, { permutations: 1000, seed: 1 }),
    },
    goal: { secondsAtMost: 0.5, text: "≤ 0.5 s (a numpy permutation loop: ~11 s here)" },
  },
  {
    id: "stats.mmd-people",
    title: "Batch check's MMD decision, 500 vs 500 × 512-D, 1,000 permutations, every row a different person",
    work: 1,
    unit: "tests",
    repeats: 3,
    baseline: {
      name: "row permutation test (as first shipped)",
      run: () => mmd(mmdX, 500, mmdY, 500, D, { permutations: 1000, seed: 1 }),
    },
    candidate: {
      // The worst case for the person test: no two rows merge, so 1,000 units are permuted.
      name: "MMD² + person-permutation test (batch-check.ts)",
      run: () => {
        const { sigma } = mmd(mmdX, 500, mmdY, 500, D);
        sink += personMmd(mmdX, 500, mmdY, 500, D, {
          samePersonThreshold: 2,
          sigma,
          permutations: 1000,
        }).pValue;
      },
    },
  },
  {
    id: "stats.people-check",
    title:
      "People check of one streaming finding on a reference without quality signals, 500-row window vs a 500-row sample × 512-D, every row a different person",
    work: 1,
    unit: "findings",
    repeats: 3,
    baseline: {
      name: "MMD finding: person MMD of its window (1,000 permutations)",
      run: () => {
        sink += checkPeople(peopleReference, mmdY, 500, D).pValue;
      },
    },
    candidate: {
      name: "ADWIN finding: its value's mean over people, last 100/200/500 rows",
      run: () => {
        sink += checkPeople(peopleReference, mmdY, 500, D, {
          kind: "mean",
          referenceValues: peopleValues(mmdX),
          windowValues: peopleValues(mmdY),
          nested: [100, 200, 500],
        }).pValue;
      },
    },
  },
  {
    id: "stats.detail-test",
    title:
      "Who or how for one streaming finding on a reference without quality signals, 500-row window × 512-D, every row a different person",
    work: 1,
    unit: "findings",
    repeats: 3,
    baseline: {
      name: "person test: person MMD of the window (1,000 permutations; what decided before)",
      run: () => {
        sink += checkPeople(peopleReference, mmdY, 500, D).pValue;
      },
    },
    candidate: {
      name: "detail test: the window's mean residual against new people's level, over people",
      run: () => {
        sink += detailTest(detailLevel, detailPca, mmdY, 500, 2)?.z ?? 0;
      },
    },
  },
  {
    id: "stats.pca",
    title: "exact top-10 PCA of 50,000 × 512",
    work: 1,
    unit: "fits",
    repeats: 2,
    baseline: {
      name: "TypeScript covariance",
      run: () => fitPca(pcaX, pcaN, D, 10, { kernels: fallbackKernels }),
    },
    candidate: { name: "WASM SIMD covariance", run: () => fitPca(pcaX, pcaN, D, 10) },
    goal: { secondsAtMost: 3, text: "≤ 3 s (scikit-learn's full solver: ~3 s here)" },
  },
];

export default comparisons;
export const _sink = () => sink;
