/**
 * @module
 * What the stream page derives from the API's answers, as plain functions: change points placed
 * on the time axis, the batch runs as chart columns, the latest run's verdict per component, and
 * the quality signals before and after a change point.
 */
import type { DriftEvent, DriftRun, StreamSeries } from "$lib/api/streams.ts";
import type { Marker } from "$lib/charts/plugins.ts";

/** Index of the last entry of ascending `values` that is ≤ `target`, or -1. */
export function lastAtOrBefore(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) <= target) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface ChangePoint extends Marker {
  seq: number;
  /** Time (epoch ms, on the series' clock) of the embedding (or bucket) at `x`. */
  at: number;
  event: DriftEvent;
}

/** What a drift event is: the MMD window is not an ADWIN change point, nor a quality window a PC1 shift. */
export function eventLabel(event: Pick<DriftEvent, "signal">): string {
  switch (event.signal) {
    case "mmd":
      return "MMD² window";
    case "residual":
      return "residual shift";
    case "quality":
      return "quality shift";
    default:
      return "PC1 shift";
  }
}

/**
 * How many embeddings an MMD² window held (`details.window.rows`): 500, or fewer when the window
 * was fitted to a small reference (`stats/src/detectors/mmd-window.ts`); null when not recorded.
 */
export function mmdWindowRows(event: Pick<DriftEvent, "details">): number | null {
  const window = (event.details as Record<string, unknown> | null)?.window as
    | Record<string, unknown>
    | undefined;
  const rows = window?.rows;
  return typeof rows === "number" && Number.isInteger(rows) && rows > 0 ? rows : null;
}

/**
 * A detector reports the embedding at which it fired; on the chart (x = point index) that is the
 * index of that embedding, or of the bucket holding it: found by its event time on an event-time
 * series (ordered by `ts`), by its seq on an arrival-time one. Detections outside the series are
 * left out.
 */
export function changePoints(series: StreamSeries, events: readonly DriftEvent[]): ChangePoint[] {
  const first = series.seq[0];
  if (first === undefined) return [];
  const byTime = series.time === "event";
  const located = events.flatMap((event) => {
    const eventTime = event.eventTime === null ? Number.NaN : Date.parse(event.eventTime);
    if (byTime && Number.isNaN(eventTime)) return [];
    const key = byTime ? eventTime : event.seq;
    const axis = byTime ? series.t : series.seq;
    if (key < (axis[0] as number) || key > (axis.at(-1) as number)) return [];
    const index = lastAtOrBefore(axis, key);
    return [{ seq: event.seq, at: series.t[index] as number, event, x: index, label: eventLabel(event) }];
  });
  return located.sort((a, b) => a.x - b.x || a.seq - b.seq);
}

export const succeededRuns = (runs: readonly DriftRun[], from: Date, to: Date): DriftRun[] =>
  runs
    .filter((run) => run.status === "succeeded")
    .filter((run) => {
      const at = Date.parse(run.finishedAt ?? run.startedAt);
      return at >= from.getTime() && at <= to.getTime();
    })
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));

export interface RunColumns {
  /** When each run finished (epoch ms). */
  t: number[];
  /** "hh:mm" per run, for the axis; runs in the same minute as an earlier one get " (2)", " (3)", …. */
  labels: string[];
  /** psi[k][r]: PSI of component k in run r. */
  psi: (number | null)[][];
  mmd2: (number | null)[];
  mmdP: (number | null)[];
  novelty: (number | null)[];
}

function minuteLabels(times: readonly number[]): string[] {
  const seen = new Map<string, number>();
  return times.map((t) => {
    const minute = new Date(t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    const n = (seen.get(minute) ?? 0) + 1;
    seen.set(minute, n);
    return n === 1 ? minute : `${minute} (${n})`;
  });
}

/** Runs (oldest first) as chart columns; x is when each run finished. */
export function runColumns(runs: readonly DriftRun[]): RunColumns {
  const components = Math.max(0, ...runs.map((run) => run.results.psi?.values.length ?? 0));
  return {
    t: runs.map((run) => Date.parse(run.finishedAt ?? run.startedAt)),
    // Not the run's id: ids are opaque 16-digit numbers (server/src/ids/public-ids.ts) that say
    // nothing about order and would crowd the axis.
    labels: minuteLabels(runs.map((run) => Date.parse(run.finishedAt ?? run.startedAt))),
    psi: Array.from({ length: components }, (_, k) => runs.map((run) => run.results.psi?.values[k] ?? null)),
    mmd2: runs.map((run) => run.results.mmd?.mmd2Unbiased ?? null),
    mmdP: runs.map((run) => run.results.mmd?.pValue ?? null),
    novelty: runs.map((run) => run.results.novelty?.rate ?? null),
  };
}

export interface ComponentVerdict {
  component: number;
  psi: number | null;
  ksStatistic: number | null;
  ksAdjustedP: number | null;
  psiFlagged: boolean;
  ksFlagged: boolean;
}

/** The latest run's numbers per component, flagged ones first, then by PSI. */
export function componentVerdicts(run: DriftRun): ComponentVerdict[] {
  const { psi, ks } = run.results;
  const count = Math.max(psi?.values.length ?? 0, ks?.statistics.length ?? 0);
  const verdicts = Array.from({ length: count }, (_, k) => ({
    component: k,
    psi: psi?.values[k] ?? null,
    ksStatistic: ks?.statistics[k] ?? null,
    ksAdjustedP: ks?.adjusted[k] ?? null,
    psiFlagged: psi?.flagged.includes(k) ?? false,
    ksFlagged: ks?.flagged.includes(k) ?? false,
  }));
  const rank = (v: ComponentVerdict) => (v.psiFlagged ? 2 : 0) + (v.ksFlagged ? 1 : 0);
  return verdicts.sort((a, b) => rank(b) - rank(a) || (b.psi ?? 0) - (a.psi ?? 0));
}

/** The PC1 scores of one run's window, when the series holds each of its embeddings. */
export function windowScores(series: StreamSeries, run: DriftRun | undefined): number[] | null {
  if (series.perPoint !== 1) return null;
  const inWindow = (seq: number) =>
    run?.fromSeq != null && run.toSeq != null ? seq >= run.fromSeq && seq <= run.toSeq : true;
  const scores: number[] = [];
  series.seq.forEach((seq, i) => {
    const score = series.pc1[i];
    if (inWindow(seq) && score !== null && score !== undefined) scores.push(score);
  });
  // Without a run, "the latest window" is the last 500 embeddings shown.
  return run ? scores : scores.slice(-500);
}

export interface SignalShift {
  signal: "faceSize" | "brightness" | "blur";
  before: number | null;
  after: number | null;
}

const mean = (values: readonly (number | null)[], from: number, to: number) => {
  let sum = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    sum += value;
    n++;
  }
  return n === 0 ? null : sum / n;
};

/**
 * Mean of each quality signal before and after a change point, given as its index on the series
 * (`ChangePoint.x`: the series is in time order, which on event time is not seq order).
 */
export function qualityShift(series: StreamSeries, index: number): SignalShift[] {
  const split = index + 1;
  return (["faceSize", "brightness", "blur"] as const).map((signal) => ({
    signal,
    before: mean(series[signal], 0, split),
    after: mean(series[signal], split, series[signal].length),
  }));
}

/** Mean and standard deviation (n − 1) of `values`; null with fewer than two. */
export function meanAndSigma(values: readonly number[]): { mean: number; sigma: number } | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, sigma: Math.sqrt(variance) };
}

/**
 * The mean of the last `window` values at each point (fewer at the start; gaps skipped), so a
 * shift of half a σ shows through the scatter of thousands of single embeddings.
 */
export function rollingMean(values: readonly (number | null)[], window: number): (number | null)[] {
  const out: (number | null)[] = [];
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const added = values[i];
    if (added !== null && added !== undefined) {
      sum += added;
      n++;
    }
    const dropped = i >= window ? values[i - window] : null;
    if (dropped !== null && dropped !== undefined) {
      sum -= dropped;
      n--;
    }
    out.push(n === 0 ? null : sum / n);
  }
  return out;
}
