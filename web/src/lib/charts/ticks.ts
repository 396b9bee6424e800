/**
 * @module
 * Axis labels that say what they mean. uPlot's default prints each tick with the step's own
 * precision, which can round neighbours to the same text (kNN novelty 0.004, 0.004, 0.003, 0.003)
 * or a 2.5 % tick to "3 %". These give each axis the fewest decimals that keep every tick distinct,
 * and blank an index-axis label that repeats its neighbour (a batch of embeddings sharing a time),
 * and size a y axis to its widest label.
 */
import type uPlot from "uplot";

/**
 * The fewest decimals (0–8) at which every value prints as itself (ticks are round steps, so a
 * few suffice) and differently from the others; 8 when none does.
 */
export function distinctDecimals(values: readonly number[]): number {
  for (let decimals = 0; decimals <= 8; decimals++) {
    const texts = values.map((v) => v.toFixed(decimals));
    const exact = values.every(
      (v) => Math.abs(Number(v.toFixed(decimals)) - v) <= 1e-9 * Math.max(1, Math.abs(v)),
    );
    if (exact && new Set(texts).size === texts.length) return decimals;
  }
  return 8;
}

/** Tick labels with the fewest decimals that tell them apart, optionally scaled and suffixed. */
export function distinctTicks(
  splits: readonly (number | null | undefined)[],
  { scale = 1, suffix = "" }: { scale?: number; suffix?: string } = {},
): string[] {
  const shown = splits.filter((v): v is number => typeof v === "number").map((v) => v * scale);
  const decimals = distinctDecimals(shown);
  return splits.map((v) => (typeof v === "number" ? `${(v * scale).toFixed(decimals)}${suffix}` : ""));
}

/** Each label, or "" where it repeats the last one shown (so one time is not printed eight times). */
export function withoutRepeats(labels: readonly string[]): string[] {
  let last: string | null = null;
  return labels.map((label) => {
    if (label === last) return "";
    last = label;
    return label;
  });
}

/**
 * A y axis's size (CSS px) that fits its widest tick label: a fixed 48–56 px cut "12.5 %" and
 * "0.0125" off at the canvas edge. uPlot calls it with the formatted labels and settles the size
 * over a few layout cycles. At least `minimum`, which leaves room for half of the first x-axis
 * label ("03:08:03 PM"), centred on the plot's left edge.
 */
export function fitLabels(minimum = 52): uPlot.Axis.Size {
  return (u, values, axisIdx) => {
    const axis = u.axes[axisIdx];
    if (!axis) return minimum;
    const longest = (values ?? []).reduce<string>(
      (a, v) => (String(v ?? "").length > a.length ? String(v) : a),
      "",
    );
    const font = (axis.font as unknown as [string, number] | undefined)?.[0];
    u.ctx.save();
    if (font) u.ctx.font = font;
    // The axis font is in canvas pixels (uPlot scales it by the device pixel ratio).
    const width = u.ctx.measureText(longest).width / (globalThis.devicePixelRatio || 1);
    u.ctx.restore();
    const ticks = typeof axis.ticks?.size === "number" && axis.ticks.show !== false ? axis.ticks.size : 0;
    const gap = typeof axis.gap === "number" ? axis.gap : 5;
    return Math.max(minimum, Math.ceil(width + ticks + gap + 4));
  };
}
