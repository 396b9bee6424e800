/**
 * @module
 * The goal check: does a configuration catch, within 1,000 embeddings, every shift that costs at
 * least 0.01 of verification AUC, with at most one false alarm per 100,000 in-distribution
 * embeddings? The configuration is ADWIN on a few per-embedding statistics plus one batch
 * detector on windows of STRICT.n every STRICT.n embeddings. Pure over the experiments' results.
 */
import { BATCH_DETECTORS, type BatchDetector } from "./batch.ts";
import { type ModelResult, type ShiftResult, SIZES, STRICT, TARGET_PER_10K } from "./experiments.ts";
import type { Feature } from "./features.ts";

/** A shift "matters" when it costs at least this much verification AUC. */
export const AUC_DROP_THAT_MATTERS = 0.01;
/** Caught = detected within the budget in at least this share of replicates. */
export const CAUGHT_RATE = 0.9;
export const BUDGET = 1000;

/** False alarms per 10,000 that the batch windows use up: α per window × windows per 10,000. */
export const BATCH_SHARE_PER_10K = (STRICT.alpha * 1e4) / STRICT.n;

/** Each ADWIN's share of what is left of the budget. */
export function adwinTargetPer10k(statistics: number): number {
  return (TARGET_PER_10K - BATCH_SHARE_PER_10K) / statistics;
}

export interface GoalCheck {
  statistics: readonly Feature[];
  batch: BatchDetector;
  /** ADWINs' held-out false alarms plus the batch windows' α share, per 10,000. */
  falseAlarmsPer10k: number;
  falseAlarmsMet: boolean;
  /** Per shift that matters: the better of the ADWINs (any) and the batch window, and whether caught. */
  mattering: { id: string; aucDrop: number; streaming: number; batch: number; caught: boolean }[];
  met: boolean;
}

export function aucDrop(result: ModelResult, shift: ShiftResult): number | null {
  return shift.verification ? result.cleanVerification.auc - shift.verification.auc : null;
}

/** Share of replicate streams in which any of the statistics' ADWINs fired within the budget. */
export function unionRate(shift: ShiftResult, statistics: readonly Feature[], budget = BUDGET): number {
  const first = shift.streaming[statistics[0] as Feature]?.calibrated;
  if (!first) return 0;
  let caught = 0;
  for (let r = 0; r < first.length; r++) {
    // Replicate r of every statistic follows the same resampled embeddings (streaming.ts).
    if (statistics.some((f) => (shift.streaming[f].calibrated[r] as number) <= budget)) caught++;
  }
  return caught / first.length;
}

function matteringShifts(result: ModelResult): { shift: ShiftResult; drop: number }[] {
  return result.shifts.flatMap((shift) => {
    const drop = aucDrop(result, shift);
    return drop !== null && drop >= AUC_DROP_THAT_MATTERS && shift.streaming.pc1 ? [{ shift, drop }] : [];
  });
}

/**
 * The batch detector for the goal: the one that catches the most shifts that matter at the strict
 * operating point, ties broken by its mean strict rate over every analysed shift. (Chosen on the
 * same data it is scored on, among six candidates: say so wherever it is reported.)
 */
export function chooseBatchDetector(result: ModelResult): BatchDetector {
  const analysed = result.shifts.filter((s) => s.streaming.pc1);
  const mattering = matteringShifts(result);
  const score = (d: BatchDetector) => {
    const caught = mattering.filter(({ shift }) => (shift.strict[d] as number) >= CAUGHT_RATE).length;
    const mean =
      analysed.reduce((s, shift) => s + (shift.strict[d] as number), 0) / Math.max(1, analysed.length);
    return caught + mean / 10;
  };
  return BATCH_DETECTORS.reduce((best, d) => (score(d) > score(best) ? d : best));
}

/**
 * `fixedRule`: score the batch detector by its own fixed decision (the seed's PSI rule has no α to
 * calibrate) instead of the strict calibrated threshold.
 */
export function goalCheck(
  result: ModelResult,
  statistics: readonly Feature[],
  batch: BatchDetector,
  fixedRule = false,
): GoalCheck {
  const batchShare = fixedRule
    ? ((result.ruleFalsePositive[batch]?.[SIZES.indexOf(STRICT.n)] ?? 0) * 1e4) / STRICT.n
    : BATCH_SHARE_PER_10K;
  const falseAlarmsPer10k =
    statistics.reduce((s, f) => s + result.streamingCalibration[f].heldOutPer10k, 0) + batchShare;
  const mattering = matteringShifts(result).map(({ shift, drop }) => {
    const streaming = unionRate(shift, statistics);
    const batchRate = fixedRule
      ? (shift.batchRule[batch]?.[SIZES.indexOf(STRICT.n)] ?? 0)
      : (shift.strict[batch] as number);
    return {
      id: shift.id,
      aucDrop: drop,
      streaming,
      batch: batchRate,
      caught: streaming >= CAUGHT_RATE || batchRate >= CAUGHT_RATE,
    };
  });
  const falseAlarmsMet = falseAlarmsPer10k <= TARGET_PER_10K + 1e-12;
  return {
    statistics,
    batch,
    falseAlarmsPer10k,
    falseAlarmsMet,
    mattering,
    met: falseAlarmsMet && mattering.every((m) => m.caught),
  };
}
