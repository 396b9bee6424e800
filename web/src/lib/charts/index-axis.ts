/**
 * @module
 * Charts here put one point per embedding (or bucket, or batch run) at x = its index and label
 * the axis from a list, instead of plotting against time. Embeddings arrive in batches that share
 * a receive time, so against time a batch of 500 would stand on one vertical line; by index each
 * gets its own slot, which is also the axis ADWIN works on (one update per embedding).
 */
import type uPlot from "uplot";
import { withoutRepeats } from "./ticks.ts";

/** Integer steps only: a fractional index has no label. */
const INCREMENTS = Array.from({ length: 16 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

export interface IndexAxis {
  scale: uPlot.Scale;
  axis: Pick<uPlot.Axis, "values" | "incrs" | "space">;
  /** The legend's x entry. */
  series: uPlot.Series;
}

/** `pad` widens the x range by that many slots at each end, so the outer labels are not cut. */
export function indexAxis(
  tickLabels: readonly string[],
  legendLabels = tickLabels,
  name = "at",
  pad = 0,
): IndexAxis {
  const at = (labels: readonly string[], i: number | null | undefined) =>
    i === null || i === undefined || !Number.isInteger(i) ? "" : (labels[i] ?? "");
  return {
    scale: {
      time: false,
      range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min - pad, max + pad]),
    },
    axis: {
      incrs: INCREMENTS,
      space: 70,
      // A label equal to its neighbour's (a batch sharing one time) is printed once.
      values: (_u, splits) => withoutRepeats(splits.map((i) => at(tickLabels, i))),
    },
    series: { label: name, value: (_u, i) => at(legendLabels, i) || "—" },
  };
}

export const indices = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Tick labels for epoch-ms times: clock time within a day, date and time beyond. */
export function timeLabels(t: readonly number[]): { ticks: string[]; legend: string[] } {
  const span = (t.at(-1) ?? 0) - (t[0] ?? 0);
  const tick: Intl.DateTimeFormatOptions =
    span > 86_400_000
      ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
      : span > 3_600_000
        ? { hour: "2-digit", minute: "2-digit" }
        : { hour: "2-digit", minute: "2-digit", second: "2-digit" };
  return {
    ticks: t.map((ms) => new Date(ms).toLocaleString(undefined, tick)),
    legend: t.map((ms) => new Date(ms).toLocaleString()),
  };
}
