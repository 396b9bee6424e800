/**
 * @module
 * The calibration numbers of a reference version, as label/value rows shared by the version card
 * and the comparison table, so both show the same figures in the same notation.
 */
import type { Reference } from "$lib/api/references.ts";

export interface CalibrationRow {
  label: string;
  /** What the number means, for a tooltip. */
  hint: string;
  value: (reference: Reference) => number | null;
  format: (value: number) => string;
}

const fixed = (digits: number) => (value: number) => value.toFixed(digits);
const sci = (value: number) =>
  value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential(2) : value.toFixed(4);

export const CALIBRATION_ROWS: CalibrationRow[] = [
  {
    label: "Vectors",
    hint: "Reference embeddings kept (kNN novelty index)",
    value: (r) => r.vector_count,
    format: (v) => v.toLocaleString(),
  },
  {
    label: "Variance, top components",
    hint: "Share of the embedding variance the monitored components explain",
    value: (r) => r.explained_variance_ratio.reduce((sum, x) => sum + x, 0),
    format: (v) => `${(v * 100).toFixed(1)}%`,
  },
  {
    label: "ADWIN false alarms / 10k",
    hint: "ADWIN on PC1 replayed over resampled reference data: alarms with no drift",
    value: (r) => r.calibration?.adwin?.falseAlarmsPer10k ?? null,
    format: fixed(2),
  },
  {
    label: "PSI noise floor (max)",
    hint: "Largest split-half PSI over the components: PSI seen between two halves of the reference",
    value: (r) => (r.calibration?.psiSplitHalf?.length ? Math.max(...r.calibration.psiSplitHalf) : null),
    format: fixed(4),
  },
  {
    label: "MMD² null q95",
    hint: "95th percentile of MMD² between reference halves",
    value: (r) => r.calibration?.mmdNull?.q95 ?? null,
    format: sci,
  },
  {
    label: "MMD² null q99",
    hint: "99th percentile of MMD² between reference halves",
    value: (r) => r.calibration?.mmdNull?.q99 ?? null,
    format: sci,
  },
  {
    label: "kNN threshold",
    hint: "99th percentile of nearest-other-neighbour cosine distance within the reference",
    value: (r) => r.knn_threshold,
    format: fixed(4),
  },
];
