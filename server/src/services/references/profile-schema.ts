/**
 * @module
 * The whole of an imported reference profile, checked before anything is stored. A profile is
 * executable configuration: the streaming worker sizes ADWIN's bucket rows by `maxBuckets`
 * (`1e8` reserved ~140 GB), projects with `pca`, bins with `psi`, and a profile missing `pca` or
 * holding 3-element components was accepted, activated, and then failed every batch forever.
 *
 * Shapes follow `ReferenceProfile` (`stats/src/detectors/reference-profile.ts`); bounds follow
 * what a fit can produce (`http/routes/streams/references/schema.ts`: up to 64 components and an
 * MMD sample of 5,000 rows), with room to spare where a larger value only costs time.
 */
import {
  FEATURE_WINDOW_FORMAT,
  PCA_FORMAT,
  QUALITY_PROFILE_FORMAT,
  QUALITY_SIGNAL_NAMES,
  REFERENCE_PROFILE_FORMAT,
  type ReferenceProfile,
} from "@facedrift/stats";
import { z } from "zod";
import { FacedriftError } from "../../errors.ts";

const finite = z.number().finite();
const nonNegative = finite.min(0);
const count = (max: number) => z.number().int().min(0).max(max);
const positive = (max: number) => z.number().int().min(1).max(max);
const finiteArray = z.array(finite);

export const MAX_PROFILE_COMPONENTS = 64;
export const MAX_PROFILE_MMD_ROWS = 5_000;
export const MAX_PROFILE_KS_ROWS = 20_000;

const adwinParams = z.strictObject({
  delta: z.number().gt(0).lt(1),
  clock: positive(1_000_000),
  // River's default is 5; the window keeps (maxBuckets + 1) × 64 rows of buckets in memory.
  maxBuckets: positive(100),
  minWindowLength: positive(1_000_000),
  gracePeriod: count(100_000_000),
});

const adwinCalibration = z.looseObject({
  delta: z.number().gt(0).lt(1),
  replayedUpdates: count(1e9),
  falseAlarms: count(1e9),
  falseAlarmsPer10k: nonNegative,
  targetPer10k: nonNegative.optional(),
  tried: z
    .array(z.object({ delta: z.number().gt(0).lt(1), falseAlarmsPer10k: nonNegative }))
    .max(1000)
    .optional(),
});

const pca = z.strictObject({
  format: z.literal(PCA_FORMAT),
  nSamples: positive(1e9),
  dim: positive(16_000),
  nComponents: positive(MAX_PROFILE_COMPONENTS),
  mean: finiteArray,
  components: finiteArray,
  // Eigenvalues of a degenerate sample may come out a rounding error below zero: finite suffices.
  explainedVariance: finiteArray,
  explainedVarianceRatio: finiteArray,
  singularValues: z.array(nonNegative),
  noiseVariance: finite,
  totalVariance: nonNegative,
});

const psiBins = z.strictObject({
  binning: z.strictObject({ kind: z.enum(["quantile", "uniform"]), bins: z.number().int().min(2).max(100) }),
  interiorEdges: finiteArray,
  referenceCounts: z.array(count(1e9)),
  referenceSize: positive(1e9),
});

const windowCalibration = {
  size: z.number().int().min(2).max(100_000),
  alpha: z.number().gt(0).lt(1),
  threshold: finite,
  method: z.literal("pearson3"),
  windows: count(1e7),
  poolRows: count(1e9),
  null: z.strictObject({
    mean: finite,
    sd: nonNegative,
    skewness: finite,
    empiricalQuantile: finite,
    exceedance: finite.min(0).max(1),
  }),
};

const mmdWindow = z.strictObject(windowCalibration);

/** Bounded: the worker projects on k components and computes D features of k + 1 coordinates per embedding. */
export const MAX_WINDOW_FEATURES = 4096;
export const MAX_WINDOW_COMPONENTS = 1024;

const featureWindow = z.strictObject({
  ...windowCalibration,
  format: z.literal(FEATURE_WINDOW_FORMAT),
  space: z.literal("pca-scores+residual"),
  components: positive(MAX_WINDOW_COMPONENTS),
  pca,
  features: positive(MAX_WINDOW_FEATURES),
  sigma: finite.gt(0),
  frequencies: finiteArray,
  phases: finiteArray,
  sample: z.strictObject({ rows: positive(MAX_PROFILE_MMD_ROWS), sum: finiteArray, squares: nonNegative }),
});

/** The quality window (stats/src/detectors/quality-window.ts): bounded so no field can stall a worker. */
const qualityProfile = z.strictObject({
  format: z.literal(QUALITY_PROFILE_FORMAT),
  signals: z
    .array(
      z.strictObject({
        name: z.enum(QUALITY_SIGNAL_NAMES as [string, ...string[]]),
        mean: finite,
        sd: nonNegative,
        between: nonNegative,
        within: nonNegative,
        scale: finite.min(1).max(100),
      }),
    )
    .min(1)
    .max(QUALITY_SIGNAL_NAMES.length),
  samePersonThreshold: finite.min(-1).max(1),
  windowSize: z.number().int().min(30).max(5_000),
  step: z.number().int().min(1).max(5_000),
  zCritical: finite.gt(0).max(40),
  alphaPerWindow: finite.gt(0).max(1),
  referenceConcentration: finite.gt(0).max(1),
  referenceRows: positive(1e9),
  calibration: z.looseObject({}),
});

const profileShape = z.strictObject({
  format: z.literal(REFERENCE_PROFILE_FORMAT),
  dimension: positive(16_000),
  nSamples: positive(1e9),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  pca,
  psi: z.array(psiBins),
  ksSample: z.strictObject({ rows: positive(MAX_PROFILE_KS_ROWS), scores: finiteArray }),
  mmd: z.strictObject({
    sampleSize: z.number().int().min(2).max(MAX_PROFILE_MMD_ROWS),
    sample: finiteArray,
    sigma: finite.gt(0),
    samePersonThreshold: finite.min(-1).max(1).optional(),
  }),
  adwin: adwinParams,
  calibration: z.looseObject({
    adwin: adwinCalibration,
    psiSplitHalf: z.array(nonNegative),
    mmdNull: z.looseObject({ splits: count(1e7), halfSize: count(1e7), q95: finite, q99: finite }),
    mmdWindowSkipped: z.string().max(1000).optional(),
    featureWindowSkipped: z.string().max(1000).optional(),
    qualitySkipped: z.string().max(1000).optional(),
  }),
  residual: z.strictObject({ adwin: adwinParams, calibration: adwinCalibration }).optional(),
  mmdWindow: mmdWindow.optional(),
  featureWindow: featureWindow.optional(),
  quality: qualityProfile.optional(),
  residualLevel: z
    .strictObject({
      mean: nonNegative,
      sd: nonNegative,
      folds: positive(100),
      rows: positive(1_000_000),
      // The detail test's typicality slope and variance components; absent from profiles exported before it.
      slope: nonNegative.max(1).optional(),
      centredEnergy: nonNegative.optional(),
      between: nonNegative.optional(),
      within: nonNegative.optional(),
      concentration: finite.gt(0).max(1).optional(),
    })
    .optional(),
});

/** What the shapes cannot say: every array's length agrees with the dimension and components. */
function checkSizes(p: z.infer<typeof profileShape>, ctx: z.RefinementCtx, dimension: number): void {
  const fail = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  if (p.dimension !== dimension)
    fail(["dimension"], `is ${p.dimension}, the stream's dimension is ${dimension}`);
  const k = p.pca.nComponents;
  const d = p.dimension;
  if (p.pca.dim !== d) fail(["pca", "dim"], `must equal the profile's dimension ${d}`);
  if (k > d) fail(["pca", "nComponents"], `cannot exceed the dimension ${d}`);
  if (p.pca.mean.length !== d) fail(["pca", "mean"], `must hold ${d} numbers`);
  if (p.pca.components.length !== d * k) fail(["pca", "components"], `must hold ${d} × ${k} numbers`);
  for (const key of ["explainedVariance", "explainedVarianceRatio", "singularValues"] as const) {
    if (p.pca[key].length !== k) fail(["pca", key], `must hold ${k} numbers (one per component)`);
  }
  if (p.psi.length !== k) fail(["psi"], `must hold ${k} binnings (one per component)`);
  p.psi.forEach((bins, j) => {
    const b = bins.binning.bins;
    if (bins.interiorEdges.length !== b - 1) fail(["psi", j, "interiorEdges"], `must hold ${b - 1} edges`);
    if (bins.interiorEdges.some((e, i) => i > 0 && e < (bins.interiorEdges[i - 1] as number))) {
      fail(["psi", j, "interiorEdges"], "must be ascending");
    }
    if (bins.referenceCounts.length !== b) fail(["psi", j, "referenceCounts"], `must hold ${b} counts`);
    const total = bins.referenceCounts.reduce((s, c) => s + c, 0);
    if (total !== bins.referenceSize) fail(["psi", j, "referenceSize"], `must be the counts' sum ${total}`);
  });
  if (p.ksSample.scores.length !== p.ksSample.rows * k) {
    fail(["ksSample", "scores"], `must hold rows × ${k} numbers`);
  }
  if (p.mmd.sample.length !== p.mmd.sampleSize * d)
    fail(["mmd", "sample"], `must hold sampleSize × ${d} numbers`);
  const w = p.featureWindow;
  if (w) {
    if (w.pca.nComponents !== w.components)
      fail(["featureWindow", "pca", "nComponents"], "must equal the window's components");
    if (w.pca.dim !== d) fail(["featureWindow", "pca", "dim"], `must equal the profile's dimension ${d}`);
    if (w.pca.mean.length !== d) fail(["featureWindow", "pca", "mean"], `must hold ${d} numbers`);
    if (w.pca.components.length !== d * w.pca.nComponents)
      fail(["featureWindow", "pca", "components"], `must hold ${d} × nComponents numbers`);
    if (w.frequencies.length !== w.features * (w.components + 1))
      fail(["featureWindow", "frequencies"], `must hold features × (components + 1) numbers`);
    if (w.phases.length !== w.features) fail(["featureWindow", "phases"], "must hold one number per feature");
    if (w.sample.sum.length !== w.features)
      fail(["featureWindow", "sample", "sum"], "must hold one number per feature");
  }
  if (p.calibration.psiSplitHalf.length !== k)
    fail(["calibration", "psiSplitHalf"], `must hold ${k} numbers`);
}

/**
 * The profile as the detectors will read it, or a 400 naming the first wrong field
 * (`profile.pca.components`). `dimension` is the stream's.
 */
export function parseReferenceProfile(value: unknown, dimension: number): ReferenceProfile {
  const schema = profileShape.superRefine((p, ctx) => checkSizes(p, ctx, dimension));
  const result = schema.safeParse(value);
  if (result.success) return result.data as ReferenceProfile;
  const issue = result.error.issues[0];
  // An unknown key is named by the key itself, as at the HTTP edge (`http/handle-error.ts`).
  const path =
    issue?.code === "unrecognized_keys" && issue.keys[0] !== undefined
      ? [...issue.path, issue.keys[0]]
      : (issue?.path ?? []);
  let field = "profile";
  for (const key of path) field += typeof key === "number" ? `[${key}]` : `.${String(key)}`;
  throw new FacedriftError("invalid_request", `${field}: ${issue?.message ?? "is not a reference profile"}`, {
    field,
  });
}
