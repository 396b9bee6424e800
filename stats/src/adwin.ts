/**
 * ADWIN change detector, bit-for-bit compatible with River's `drift.ADWIN` (River ≥ 0.24).
 *
 * Like River's wrapper, a detection is reported by the update that found it, and the *next*
 * update starts from a fresh window (width 1, clock tick 0).
 *
 * @example
 * ```ts
 * const adwin = new Adwin();
 * const stream = [...Array(1000).fill(0), ...Array(1000).fill(1)];
 * const detections = stream.flatMap((x, i) => (adwin.update(x) ? [i] : []));
 * // detections: [1023]
 * ```
 */
import {
  type AdwinParams,
  AdwinWindow,
  type AdwinWindowState,
  DEFAULT_ADWIN_PARAMS,
} from "./adwin-window.ts";

export { type AdwinParams, DEFAULT_ADWIN_PARAMS } from "./adwin-window.ts";

/** Version tag of the JSON checkpoint; a different tag is refused rather than misread. */
export const ADWIN_STATE_FORMAT = "facedrift.adwin/1";

export interface AdwinState {
  format: typeof ADWIN_STATE_FORMAT;
  params: AdwinParams;
  driftDetected: boolean;
  window: AdwinWindowState;
}

export interface AdwinSummary {
  width: number;
  total: number;
  /** total / width, 0 for an empty window. */
  estimation: number;
  /** River's `variance`: the sum of squared deviations from the window mean (not divided by width). */
  variance: number;
}

export function validateAdwinParams(params: Partial<AdwinParams>): AdwinParams {
  const p = { ...DEFAULT_ADWIN_PARAMS, ...params };
  if (!(p.delta > 0 && p.delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${p.delta}`);
  for (const key of ["clock", "maxBuckets", "minWindowLength"] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 1) throw new RangeError(`${key} must be a positive integer`);
  }
  if (!Number.isInteger(p.gracePeriod) || p.gracePeriod < 0) {
    throw new RangeError("gracePeriod must be a non-negative integer");
  }
  return p;
}

export class Adwin {
  readonly params: Readonly<AdwinParams>;
  private window: AdwinWindow;
  private detected = false;

  constructor(params: Partial<AdwinParams> = {}) {
    this.params = Object.freeze(validateAdwinParams(params));
    this.window = new AdwinWindow(this.params);
  }

  /** Feeds one value; returns true when this value revealed a change. */
  update(value: number): boolean {
    if (this.detected) this.window = new AdwinWindow(this.params);
    this.detected = this.window.update(value);
    return this.detected;
  }

  /** True when the last update detected a change. */
  get driftDetected(): boolean {
    return this.detected;
  }

  /** Window width and sum, without allocating (the streaming hot path reads them per update). */
  get width(): number {
    return this.window.width;
  }

  get total(): number {
    return this.window.total;
  }

  summary(): AdwinSummary {
    const { width, total, variance } = this.window;
    return { width, total, estimation: width === 0 ? 0 : total / width, variance };
  }

  /** Detections since the current window was started (0 or 1 with River's reset rule). */
  get nDetections(): number {
    return this.window.nDetections;
  }

  toJSON(): AdwinState {
    return {
      format: ADWIN_STATE_FORMAT,
      params: { ...this.params },
      driftDetected: this.detected,
      window: this.window.toState(),
    };
  }

  /** Restores a checkpoint written by `toJSON`; later updates behave exactly as without the round trip. */
  static fromJSON(state: AdwinState): Adwin {
    if (state?.format !== ADWIN_STATE_FORMAT) {
      throw new RangeError(
        `not an ADWIN checkpoint of format ${ADWIN_STATE_FORMAT}: got ${String(state?.format)}`,
      );
    }
    const adwin = new Adwin(state.params);
    adwin.window = AdwinWindow.fromState(adwin.params, state.window);
    adwin.detected = state.driftDetected;
    return adwin;
  }
}

/** Runs a whole series through a fresh detector: the 0-based indices of detections and the final state. */
export function runAdwin(
  values: ArrayLike<number>,
  params: Partial<AdwinParams> = {},
): { detections: number[]; final: AdwinSummary } {
  const adwin = new Adwin(params);
  const detections: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (adwin.update(values[i] as number)) detections.push(i);
  }
  return { detections, final: adwin.summary() };
}
