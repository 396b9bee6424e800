/**
 * @module
 * The report's charts as standalone SVG: Observable Plot rendered in Node against a jsdom
 * document (Plot only needs a DOM to build the SVG; nothing is displayed).
 */
import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";

const document = new JSDOM("").window.document;

/** Serialises a Plot SVG so it renders on its own (an <img> or a browser tab). */
function toSvg(plot: Element): string {
  plot.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  plot.setAttribute("style", "background: white");
  return `${plot.outerHTML}\n`;
}

export interface RatePoint {
  shift: string;
  detector: string;
  n: number;
  rate: number;
}

/** Detection rate against window size, one panel per shift, one line per detector. */
export function detectionVsSizeChart(points: readonly RatePoint[], detectors: readonly string[]): string {
  const shifts = [...new Set(points.map((p) => p.shift))];
  const columns = 4;
  const plot = Plot.plot({
    document,
    width: 1100,
    height: 200 * Math.ceil(shifts.length / columns) + 120,
    marginBottom: 40,
    x: { type: "log", label: "window size (embeddings)", ticks: [10, 100, 1000] },
    y: { domain: [0, 1], label: "detection rate", grid: true },
    fx: { label: null },
    fy: { label: null, axis: null },
    color: { domain: [...detectors], scheme: "tableau10" },
    marks: [
      Plot.frame({ stroke: "#ccc" }),
      Plot.line(points, {
        x: "n",
        y: "rate",
        stroke: "detector",
        fx: (d: RatePoint) => shifts.indexOf(d.shift) % columns,
        fy: (d: RatePoint) => Math.floor(shifts.indexOf(d.shift) / columns),
        strokeWidth: 1.5,
      }),
      Plot.dot(points, {
        x: "n",
        y: "rate",
        fill: "detector",
        r: 2,
        fx: (d: RatePoint) => shifts.indexOf(d.shift) % columns,
        fy: (d: RatePoint) => Math.floor(shifts.indexOf(d.shift) / columns),
      }),
      Plot.text(shifts, {
        text: (s: string) => s,
        fx: (s: string) => shifts.indexOf(s) % columns,
        fy: (s: string) => Math.floor(shifts.indexOf(s) / columns),
        frameAnchor: "top-left",
        dx: 4,
        dy: 4,
        fontWeight: "bold",
      }),
    ],
  }) as unknown as Element;
  // Plot drops the fx tick labels' meaning (column numbers); hide them.
  for (const axis of plot.querySelectorAll('[aria-label="fx-axis tick label"]')) axis.remove();
  return toSvg(plot);
}

/**
 * A colour (and, for the delay chart, symbol) key as its own SVG: Plot's legends are HTML, which
 * an SVG file cannot hold.
 */
export function legendChart(detectors: readonly string[], symbols = false): string {
  const rows = detectors.map((d, i) => ({ d, x: (i % 3) * 360, y: Math.floor(i / 3) }));
  const plot = Plot.plot({
    document,
    width: 1100,
    height: 24 * Math.ceil(detectors.length / 3) + 10,
    margin: 8,
    x: { axis: null, domain: [0, 1100] },
    y: { axis: null, domain: [Math.ceil(detectors.length / 3) - 0.5, -0.5] },
    color: { domain: [...detectors], scheme: "tableau10" },
    symbol: { domain: [...detectors] },
    marks: [
      symbols
        ? Plot.dot(rows, { x: (r) => r.x + 10, y: "y", stroke: "d", symbol: "d", r: 4 })
        : Plot.dot(rows, { x: (r) => r.x + 10, y: "y", fill: "d", r: 5 }),
      Plot.text(rows, { x: (r) => r.x + 22, y: "y", text: "d", textAnchor: "start", fontSize: 12 }),
    ],
  }) as unknown as Element;
  return toSvg(plot);
}

export interface ImpactBar {
  shift: string;
  aucDrop: number;
}

/** Verification AUC lost to each shift, with the 0.01 line that makes a shift "matter". */
export function verificationChart(bars: readonly ImpactBar[]): string {
  const plot = Plot.plot({
    document,
    width: 800,
    height: 30 + 18 * bars.length,
    marginLeft: 150,
    x: { label: "verification AUC lost (clean − shifted), held-out pairs", grid: true },
    y: { label: null, domain: bars.map((b) => b.shift) },
    marks: [
      Plot.barX(bars, {
        x: "aucDrop",
        y: "shift",
        fill: (b: ImpactBar) => (b.aucDrop >= 0.01 ? "#d62728" : "#999"),
      }),
      Plot.ruleX([0.01], { stroke: "black", strokeDasharray: "4 3" }),
      Plot.ruleX([0]),
    ],
  }) as unknown as Element;
  return toSvg(plot);
}

export interface DelayPoint {
  shift: string;
  statistic: string;
  delay: number;
}

/** Median ADWIN delay after an abrupt shift, per statistic (points beyond the horizon are not drawn). */
export function delayChart(
  points: readonly DelayPoint[],
  statistics: readonly string[],
  shifts: readonly string[],
): string {
  const plot = Plot.plot({
    document,
    width: 800,
    height: 40 + 18 * shifts.length,
    marginLeft: 150,
    x: { type: "log", label: "median embeddings until ADWIN fires (log)", grid: true },
    y: { label: null, domain: [...shifts] },
    color: { domain: [...statistics], scheme: "tableau10", legend: false },
    symbol: { domain: [...statistics] },
    marks: [
      Plot.ruleX([1000], { stroke: "black", strokeDasharray: "4 3" }),
      Plot.dot(
        points.filter((p) => Number.isFinite(p.delay)),
        {
          x: "delay",
          y: "shift",
          stroke: "statistic",
          symbol: "statistic",
          r: 4,
        },
      ),
    ],
  }) as unknown as Element;
  return toSvg(plot);
}
