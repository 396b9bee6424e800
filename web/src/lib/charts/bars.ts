/**
 * @module
 * Geometry for the SVG bar charts (stacked bars per time bucket, histogram small multiples):
 * pure functions from numbers to rectangles, so they are tested without a browser.
 */

export interface StackedBar {
  label: string;
  /** One value per series, stacked bottom to top in series order. */
  values: number[];
  /** Drawn as a narrow bar in front of the stack (e.g. incidents opened). */
  marker?: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest 1, 2 or 5 × 10ᵏ at or above `value` (at least 1): a y-axis top with round ticks. */
export function niceMax(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Rectangles of stacked bars in a `width` × `height` plot, one slot per bar, bars 80 % of it. */
export function stackLayout(bars: readonly StackedBar[], width: number, height: number) {
  const totals = bars.map((bar) => bar.values.reduce((sum, v) => sum + v, 0));
  const max = niceMax(Math.max(0, ...totals, ...bars.map((bar) => bar.marker ?? 0)));
  const slot = bars.length > 0 ? width / bars.length : width;
  const barWidth = slot * 0.8;
  const scale = (v: number) => (v / max) * height;
  const stacks = bars.map((bar, i) => {
    let top = height;
    return bar.values.map((value): Rect => {
      const h = scale(value);
      top -= h;
      return { x: i * slot + (slot - barWidth) / 2, y: top, width: barWidth, height: h };
    });
  });
  const markers = bars.map((bar, i): Rect | null => {
    if (!bar.marker) return null;
    const w = Math.max(1, barWidth / 4);
    return {
      x: i * slot + (slot - w) / 2,
      y: height - scale(bar.marker),
      width: w,
      height: scale(bar.marker),
    };
  });
  return { max, slot, stacks, markers };
}

/**
 * A histogram of `shares` as bars and the reference's as a step outline, in a `width` × `height`
 * panel scaled to `max` (the largest share of all panels, so panels compare by eye).
 */
export function histogramShapes(
  shares: readonly number[],
  reference: readonly number[],
  width: number,
  height: number,
  max: number,
) {
  const bins = shares.length;
  const w = bins > 0 ? width / bins : width;
  const y = (share: number) => height - (max > 0 ? (share / max) * height : 0);
  const bars = shares.map(
    (share, i): Rect => ({ x: i * w, y: y(share), width: w, height: height - y(share) }),
  );
  let outline = `M0 ${height}`;
  reference.forEach((share, i) => {
    outline += ` L${i * w} ${y(share)} L${(i + 1) * w} ${y(share)}`;
  });
  outline += ` L${width} ${height}`;
  return { bars, outline };
}
