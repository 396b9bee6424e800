/**
 * `facedrift stats <kind>`: one JSON object in, one JSON object out, for checking a recorded
 * series or two samples by hand. Field names are snake_case like the oracles and numpy users.
 */
import {
  type AdwinParams,
  DEFAULT_ADWIN_PARAMS,
  fitPca,
  ksTwoSample,
  mmd,
  psi,
  runAdwin,
  validateAdwinParams,
  verificationMetrics,
} from "@facedrift/stats";
import { field, finiteNumber, InputError, matrix, numberArray, positiveInteger } from "./input.ts";

type Input = Record<string, unknown>;

const ADWIN_PARAM_NAMES: Record<string, keyof AdwinParams> = {
  delta: "delta",
  clock: "clock",
  max_buckets: "maxBuckets",
  min_window_length: "minWindowLength",
  grace_period: "gracePeriod",
};

function adwin(input: Input) {
  const raw = input.params ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InputError("params must be an object");
  const params: Partial<AdwinParams> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = ADWIN_PARAM_NAMES[key];
    if (!name)
      throw new InputError(
        `params.${key} is not an ADWIN parameter (${Object.keys(ADWIN_PARAM_NAMES).join(", ")})`,
      );
    params[name] = finiteNumber(value, `params.${key}`);
  }
  const values = numberArray(field(input, "values"), "values", { allowEmpty: true });
  const { detections, final } = runAdwin(
    values,
    validateInput(() => validateAdwinParams({ ...DEFAULT_ADWIN_PARAMS, ...params })),
  );
  return { detections, final };
}

function pca(input: Input) {
  const { data, rows, cols } = matrix(input, "X", "shape");
  const k = positiveInteger(field(input, "n_components"), "n_components");
  const model = validateInput(() => fitPca(data, rows, cols, k));
  return {
    mean: Array.from(model.mean),
    components: Array.from(model.components),
    explained_variance: Array.from(model.explainedVariance),
    explained_variance_ratio: Array.from(model.explainedVarianceRatio),
    singular_values: Array.from(model.singularValues),
    noise_variance: model.noiseVariance,
  };
}

function ks(input: Input) {
  const method = input.method ?? "exact";
  if (method !== "exact" && method !== "asymp") throw new InputError(`method must be "exact" or "asymp"`);
  const sample1 = numberArray(field(input, "sample1"), "sample1");
  const sample2 = numberArray(field(input, "sample2"), "sample2");
  const { statistic, pvalue } = validateInput(() => ksTwoSample(sample1, sample2, { method }));
  return { statistic, pvalue };
}

const PSI_BINNINGS = {
  deciles: { kind: "quantile", bins: 10 },
  uniform50: { kind: "uniform", bins: 50 },
} as const;

function psiKind(input: Input) {
  const binning = input.binning ?? "deciles";
  if (binning !== "deciles" && binning !== "uniform50")
    throw new InputError(`binning must be "deciles" or "uniform50"`);
  const ref = numberArray(field(input, "ref"), "ref");
  const sample = numberArray(field(input, "new"), "new");
  const result = validateInput(() => psi(ref, sample, PSI_BINNINGS[binning]));
  return { psi: result.psi, counts_ref: result.countsRef, counts_new: result.countsNew };
}

function mmdKind(input: Input) {
  const x = matrix(input, "X", "X_shape");
  const y = matrix(input, "Y", "Y_shape");
  if (x.cols !== y.cols) throw new InputError(`X has ${x.cols} columns but Y has ${y.cols}`);
  const permutations =
    input.permutations === undefined ? 0 : positiveInteger(input.permutations, "permutations", 0);
  const seed = input.seed === undefined ? 0 : positiveInteger(input.seed, "seed", 0);
  const r = validateInput(() => mmd(x.data, x.rows, y.data, y.rows, x.cols, { permutations, seed }));
  return {
    sigma: r.sigma,
    mmd2_unbiased: r.mmd2Unbiased,
    mmd2_biased: r.mmd2Biased,
    ...(r.pValue === undefined ? {} : { p_value: r.pValue, permutations, seed }),
  };
}

function auc(input: Input) {
  const scores = numberArray(field(input, "scores"), "scores");
  const labels = numberArray(field(input, "labels"), "labels");
  const m = validateInput(() => verificationMetrics(scores, labels));
  return { auc: m.auc, eer: m.eer, tar_at_far: m.tarAtFar };
}

/** Statistics throw RangeError for inputs they cannot use; to the CLI user that is bad input. */
function validateInput<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(error.message);
    throw error;
  }
}

export const STATS_KINDS = { adwin, pca, ks, psi: psiKind, mmd: mmdKind, auc } as const;
export type StatsKind = keyof typeof STATS_KINDS;

export function isStatsKind(kind: string): kind is StatsKind {
  return Object.hasOwn(STATS_KINDS, kind);
}

export function runStats(kind: StatsKind, input: Input): unknown {
  return STATS_KINDS[kind](input);
}
