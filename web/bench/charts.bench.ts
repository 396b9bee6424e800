/**
 * The dashboard's charts at 100,000 points, in headless Chromium: a full redraw of the PC1 chart
 * (uPlot on a canvas, as `web/src/lib/charts/TimeSeriesChart.svelte` sets it up) with 100,000
 * points against the same chart with 1,000, so the figure says what the extra data costs and the
 * goal says whether a redraw still fits a few frames. Each run swaps the data and waits for the
 * next frame; Chromium runs without a GPU here, so the canvas is rasterised on the main thread
 * inside the timed call. (An SVG path was tried as the baseline and dropped: its rasterisation
 * runs off the main thread after the timed frame, so the comparison flattered SVG.) Skipped
 * without Chromium.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import type { Comparison } from "../../bench/harness.ts";
import { browserConfig } from "../../e2e/support/browser-config.ts";

const POINTS = 100_000;
const SMALL = 1_000;
const require = createRequire(import.meta.url);

export default async function suite(): Promise<Comparison[]> {
  if (!existsSync(browserConfig.executablePath)) {
    process.stderr.write("charts bench skipped: no Chromium\n");
    return [];
  }
  const browser = await chromium.launch({
    executablePath: browserConfig.executablePath,
    args: browserConfig.args,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.setContent(
    `<!doctype html><body style="margin:0"><div id="large"></div><div id="small"></div></body>`,
  );
  await page.addStyleTag({ path: require.resolve("uplot/dist/uPlot.min.css") });
  await page.addScriptTag({ path: require.resolve("uplot/dist/uPlot.iife.min.js") });
  // Page code goes in as strings: tsx compiles functions with a `__name` helper that does not
  // exist in the page, so `page.evaluate(fn)` cannot ship them.
  await page.evaluate(`(() => {
    // Seeded random walks, two per chart, alternated so every run draws new data.
    let seed = 7;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const walks = (n) => {
      const x = Float64Array.from({ length: n }, (_, i) => i);
      return [0, 1].map(() => {
        const y = new Float64Array(n);
        for (let i = 1; i < n; i++) y[i] = y[i - 1] * 0.999 + (random() - 0.5);
        return [x, y];
      });
    };
    const chart = (id, n) => {
      const frames = walks(n);
      const plot = new uPlot({
        width: 1200, height: 300,
        series: [{}, { stroke: "#0072b2", width: 1.25, points: { show: false } }],
        scales: { x: { time: false } },
      }, frames[0], document.getElementById(id));
      let round = 0;
      // Resolves once the frame after the change has been produced (rAF, then the next task).
      return () => {
        plot.setData(frames[++round % 2]);
        return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      };
    };
    window.redrawLarge = chart("large", ${POINTS});
    window.redrawSmall = chart("small", ${SMALL});
  })()`);

  return [
    {
      id: "web.charts.redraw-100k",
      title: "PC1 chart redraw to the next frame, 100,000 points against 1,000 (uPlot, Chromium)",
      work: 1,
      unit: "redraws",
      baseline: { name: "uPlot, 1,000 points", run: () => page.evaluate("window.redrawSmall()") },
      candidate: { name: "uPlot, 100,000 points", run: () => page.evaluate("window.redrawLarge()") },
      goal: { secondsAtMost: 0.05, text: "a 100,000-point redraw within 50 ms (3 frames at 60 Hz)" },
      repeats: 9,
      teardown: () => browser.close(),
    },
  ];
}
