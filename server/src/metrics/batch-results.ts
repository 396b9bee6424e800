/**
 * Reads the numbers the metrics show out of `drift_runs.results`. The batch detector stores its
 * `BatchCheckResult` (`stats/src/detectors/batch-check.ts`: `psi.values`, `mmd.mmd2Unbiased`,
 * `mmd.pValue`) plus its kNN novelty (`novelty.rate`, `batch/novelty.ts`); flat spellings (`psi: number[]`, `mmd2`, `pValue`,
 * `knnNoveltyRate`) are read too, so the metrics do not break on a reshuffle of that JSON.
 * Anything that is not a finite number is left out.
 */
export interface BatchNumbers {
  /** By component index; a non-number entry stays a hole so indexes keep their meaning. */
  psi: (number | undefined)[];
  mmd2?: number;
  pValue?: number;
  knnNoveltyRate?: number;
}

type Json = Record<string, unknown>;

const finite = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const object = (value: unknown): Json | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;

export function batchNumbers(results: unknown): BatchNumbers {
  const r = object(results) ?? {};
  const psiSource = Array.isArray(r.psi) ? r.psi : object(r.psi)?.values;
  const psi = Array.isArray(psiSource) ? psiSource.map(finite) : [];
  const mmd = object(r.mmd);
  const knn = object(r.knn);
  const out: BatchNumbers = { psi };
  const mmd2 = finite(mmd?.mmd2Unbiased) ?? finite(r.mmd2);
  const pValue = finite(mmd?.pValue) ?? finite(r.pValue);
  const novelty =
    finite(object(r.novelty)?.rate) ??
    finite(knn?.noveltyRate) ??
    finite(r.knnNoveltyRate) ??
    finite(r.noveltyRate);
  if (mmd2 !== undefined) out.mmd2 = mmd2;
  if (pValue !== undefined) out.pValue = pValue;
  if (novelty !== undefined) out.knnNoveltyRate = novelty;
  return out;
}
