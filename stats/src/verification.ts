/**
 * Face-verification quality from similarity scores of labelled pairs (1 = genuine, 0 = impostor):
 * ROC curve, ROC AUC, equal error rate and TAR at a given FAR.
 *
 * Conventions (as `../shared/oracles/README.md` fixes them):
 * - the ROC has one point per distinct score, highest first, starting at (0, 0), like
 *   scikit-learn's `roc_curve(drop_intermediate=False)`;
 * - AUC = P(genuine > impostor) + ½·P(tie), i.e. `roc_auc_score`;
 * - EER is where the piecewise-linear ROC crosses FPR = 1 − TPR, interpolated between the two
 *   points that bracket the sign change of g = FPR − (1 − TPR).
 *
 * @example
 * ```ts
 * const { auc, eer } = verificationMetrics([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]); // auc 1, eer 0
 * ```
 */
import { assertFinite } from "./matrix-input.ts";

export interface RocCurve {
  /** Ascending false-positive rates, first 0. */
  fpr: Float64Array;
  /** True-positive rates at the same thresholds, first 0. */
  tpr: Float64Array;
  /** Score thresholds, descending; thresholds[0] is +Infinity (the "accept nothing" point). */
  thresholds: Float64Array;
  /** Integer true/false-positive counts behind tpr/fpr, so the AUC can be formed exactly. */
  tps: Float64Array;
  fps: Float64Array;
}

export interface VerificationMetrics {
  auc: number;
  eer: number;
  /** TAR at FAR = 0.1 % and 1 %, the operating points the verification job reports. */
  tarAtFar: { "0.001": number; "0.01": number };
  genuine: number;
  impostor: number;
}

function validate(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): { positives: number; negatives: number } {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores has ${scores.length} entries but labels has ${labels.length}`);
  }
  assertFinite(scores, "scores");
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new RangeError(`labels[${i}] must be 0 or 1, got ${labels[i]}`);
    positives += labels[i] as number;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0)
    throw new RangeError("labels need both genuine (1) and impostor (0) pairs");
  return { positives, negatives };
}

export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  const { positives, negatives } = validate(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Number.POSITIVE_INFINITY];
  const tps = [0];
  const fps = [0];
  let tp = 0;
  let fp = 0;
  order.forEach((index, rank) => {
    if (labels[index] === 1) tp++;
    else fp++;
    const next = order[rank + 1];
    if (next === undefined || scores[next] !== scores[index]) {
      fpr.push(fp / negatives);
      tpr.push(tp / positives);
      thresholds.push(scores[index] as number);
      tps.push(tp);
      fps.push(fp);
    }
  });
  return {
    fpr: Float64Array.from(fpr),
    tpr: Float64Array.from(tpr),
    thresholds: Float64Array.from(thresholds),
    tps: Float64Array.from(tps),
    fps: Float64Array.from(fps),
  };
}

/**
 * Area under the ROC = P(g>i) + ½P(g=i). The trapezoids are summed in integer counts (twice the
 * Mann–Whitney U) and divided once, so the result is the rational AUC rounded a single time.
 */
export function rocAuc(curve: RocCurve): number {
  const { tps, fps } = curve;
  let twiceU = 0;
  for (let i = 1; i < tps.length; i++) {
    twiceU += ((fps[i] as number) - (fps[i - 1] as number)) * ((tps[i] as number) + (tps[i - 1] as number));
  }
  const positives = tps[tps.length - 1] as number;
  const negatives = fps[fps.length - 1] as number;
  return twiceU / (2 * positives * negatives);
}

export function equalErrorRate(curve: RocCurve): number {
  const { fpr, tpr } = curve;
  const g = (i: number) => (fpr[i] as number) - (1 - (tpr[i] as number));
  for (let i = 0; i < fpr.length; i++) {
    const gi = g(i);
    if (gi < 0) continue;
    if (gi === 0 || i === 0) return fpr[i] as number;
    const previous = g(i - 1);
    const t = previous / (previous - gi);
    return (fpr[i - 1] as number) + t * ((fpr[i] as number) - (fpr[i - 1] as number));
  }
  return 1; // unreachable: the curve ends at (1, 1) where g = 1
}

/** Highest TPR among the ROC points whose FPR does not exceed `far`. */
export function tarAtFar(curve: RocCurve, far: number): number {
  let best = 0;
  for (let i = 0; i < curve.fpr.length; i++) {
    if ((curve.fpr[i] as number) <= far) best = Math.max(best, curve.tpr[i] as number);
  }
  return best;
}

export function verificationMetrics(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): VerificationMetrics {
  const curve = rocCurve(scores, labels);
  let genuine = 0;
  for (let i = 0; i < labels.length; i++) genuine += labels[i] as number;
  return {
    auc: rocAuc(curve),
    eer: equalErrorRate(curve),
    tarAtFar: { "0.001": tarAtFar(curve, 0.001), "0.01": tarAtFar(curve, 0.01) },
    genuine,
    impostor: labels.length - genuine,
  };
}
