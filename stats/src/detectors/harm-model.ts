/**
 * @module
 * Severity that follows harm: a linear model from a quality window's effect sizes (how many
 * reference standard deviations each signal moved, up or down) and the window's embedding
 * residual level (`residual-level.ts`: identity detail lost) to the verification cost the
 * change causes (ΔAUC on genuine/impostor pairs, failures to extract counted as failed
 * comparisons). Fitted per embedder by the who-vs-how benchmark (`bench/quality/who-how/`) on
 * dozens of image and pipeline changes, with its error measured on shift families left out of
 * the fit, and shipped as data (`harm-models.ts`).
 *
 * Non-negative coefficients (a signal moving further never predicts less harm), a small ridge
 * for the correlated signals, fitted by coordinate descent: a dozen lines that no small library
 * offers for typed arrays.
 */
import type { QualitySignalName, QualityWindowResult } from "./quality-window.ts";

export const HARM_MODEL_FORMAT = "facedrift.harm-model/1";

/**
 * What a harm term can charge for: a quality signal's movement, or the window's embedding
 * residual against the level of new people (`residual-level.ts`), both in reference standard
 * deviations.
 */
export type HarmFeatureName = QualitySignalName | "embeddingResidual";
export type HarmEffects = Partial<Record<HarmFeatureName, number>>;

export interface HarmTerm {
  signal: HarmFeatureName;
  /** The direction of movement the term charges for. */
  direction: "up" | "down";
  /** ΔAUC per reference standard deviation of movement in that direction. */
  coefficient: number;
}

export interface HarmModel {
  format: typeof HARM_MODEL_FORMAT;
  /** The embedder (registry id) whose verification cost it predicts. */
  model: string;
  terms: HarmTerm[];
  /** Effects beyond this many standard deviations are clipped (no extrapolation past the benchmark). */
  maxEffect: number;
  /**
   * Movement up to this many standard deviations costs nothing (a hinge): cameras differ a little
   * without harm, and recognition degrades only past a point. Chosen by held-out error.
   */
  hinge: number;
  /**
   * The hinge of embedding-statistic terms (`embeddingResidual`), in their own standard
   * deviations: they move in tenths where quality signals move in whole units. Absent in models
   * without such terms.
   */
  embeddingHinge?: number;
  /** Root-mean-square and largest error of predictions for shift families held out of the fit. */
  error: { rmse: number; maxAbs: number; heldOut: string };
  fittedOn: { conditions: number; families: number; ridge: number };
}

export interface HarmObservation {
  family: string;
  effects: HarmEffects;
  deltaAuc: number;
}

/** ΔAUC the model predicts for a window's effects, with the model's held-out error. */
export function predictHarm(model: HarmModel, effects: HarmEffects): { deltaAuc: number; error: number } {
  let total = 0;
  for (const term of model.terms)
    total +=
      term.coefficient *
      feature(effects[term.signal], term.direction, model.maxEffect, hingeOf(model, term.signal));
  return { deltaAuc: total, error: model.error.rmse };
}

/** Features computed from the embeddings themselves rather than the capture's quality signals. */
const EMBEDDING_FEATURES: ReadonlySet<HarmFeatureName> = new Set(["embeddingResidual"]);

function hingeOf(model: Pick<HarmModel, "hinge" | "embeddingHinge">, signal: HarmFeatureName): number {
  return EMBEDDING_FEATURES.has(signal) ? (model.embeddingHinge ?? model.hinge ?? 0) : (model.hinge ?? 0);
}

function feature(
  effect: number | undefined,
  direction: "up" | "down",
  maxEffect: number,
  hinge: number,
): number {
  if (effect === undefined || !Number.isFinite(effect)) return 0;
  const moved = direction === "up" ? effect : -effect;
  return Math.max(0, Math.min(moved, maxEffect) - hinge);
}

/**
 * Fits the non-negative ridge model on `observations` and measures its error leaving each
 * family out in turn (the prediction for a family comes from a fit that never saw it).
 */
export function fitHarmModel(
  model: string,
  signals: readonly HarmFeatureName[],
  observations: readonly HarmObservation[],
  options: { ridge?: number; maxEffect?: number; hinge?: number; embeddingHinge?: number } = {},
): HarmModel {
  const ridge = options.ridge ?? 0.5;
  const maxEffect = options.maxEffect ?? 8;
  const hinge = options.hinge ?? 0;
  const embeddingHinge = options.embeddingHinge ?? 0;
  const hinges = { hinge, embeddingHinge };
  const slots = signals.flatMap((signal) =>
    (["up", "down"] as const).map((direction) => ({ signal, direction })),
  );
  const design = (rows: readonly HarmObservation[]) =>
    rows.map((row) =>
      slots.map((s) => feature(row.effects[s.signal], s.direction, maxEffect, hingeOf(hinges, s.signal))),
    );
  const solve = (rows: readonly HarmObservation[]) =>
    nonNegativeRidge(
      design(rows),
      rows.map((r) => r.deltaAuc),
      ridge,
    );
  const families = [...new Set(observations.map((o) => o.family))];
  const errors: number[] = [];
  for (const family of families) {
    const beta = solve(observations.filter((o) => o.family !== family));
    for (const row of observations.filter((o) => o.family === family)) {
      const x = design([row])[0] as number[];
      const predicted = x.reduce((s, v, j) => s + v * (beta[j] as number), 0);
      errors.push(predicted - row.deltaAuc);
    }
  }
  const beta = solve(observations);
  return {
    format: HARM_MODEL_FORMAT,
    model,
    terms: slots.map((s, j) => ({ ...s, coefficient: beta[j] as number })).filter((t) => t.coefficient > 0),
    maxEffect,
    hinge,
    ...(signals.some((s) => EMBEDDING_FEATURES.has(s)) ? { embeddingHinge } : {}),
    error: {
      rmse: Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / Math.max(1, errors.length)),
      maxAbs: errors.reduce((s, e) => Math.max(s, Math.abs(e)), 0),
      heldOut: `leave one shift family out (${families.length} families)`,
    },
    fittedOn: { conditions: observations.length, families: families.length, ridge },
  };
}

/** argmin ‖y − Xβ‖² + λ‖β‖² subject to β ≥ 0, by cyclic coordinate descent. */
export function nonNegativeRidge(x: readonly number[][], y: readonly number[], lambda: number): number[] {
  const p = x[0]?.length ?? 0;
  const beta = new Array<number>(p).fill(0);
  const residual = [...y];
  const colNorm = Array.from({ length: p }, (_, j) => x.reduce((s, row) => s + (row[j] as number) ** 2, 0));
  for (let sweep = 0; sweep < 2000; sweep++) {
    let change = 0;
    for (let j = 0; j < p; j++) {
      if (colNorm[j] === 0) continue;
      let rho = 0;
      for (let i = 0; i < x.length; i++)
        rho +=
          (x[i]?.[j] as number) * ((residual[i] as number) + (x[i]?.[j] as number) * (beta[j] as number));
      const next = Math.max(0, rho / ((colNorm[j] as number) + lambda));
      const delta = next - (beta[j] as number);
      if (delta !== 0) {
        for (let i = 0; i < x.length; i++)
          residual[i] = (residual[i] as number) - delta * (x[i]?.[j] as number);
        beta[j] = next;
        change = Math.max(change, Math.abs(delta));
      }
    }
    if (change < 1e-12) break;
  }
  return beta;
}

/**
 * A window's effects for the harm model: each quality signal's, and the embedding residual's
 * when the reference has a residual level (`residualEffect`), else none.
 */
export function harmEffects(result: QualityWindowResult, residual: number | null): HarmEffects {
  const effects: HarmEffects = Object.fromEntries(result.signals.map((s) => [s.name, s.effect]));
  if (residual !== null && Number.isFinite(residual)) effects.embeddingResidual = residual;
  return effects;
}

/** The cost at which an input change is critical: the "costs" line, 0.01 AUC. */
export const CRITICAL_DELTA_AUC = 0.01;

/**
 * Severity of an input/pipeline finding from its predicted cost: critical when the cost is
 * predicted at or above 0.01 AUC, warning otherwise (the input changed, recognition is not
 * predicted to suffer). Population findings are informational and never reach here.
 */
export function inputSeverity(predicted: { deltaAuc: number } | null): "critical" | "warning" {
  return predicted && predicted.deltaAuc >= CRITICAL_DELTA_AUC ? "critical" : "warning";
}
