/**
 * @module
 * Checks on a rendered page for the chart and layout problems issue 13 found by looking at
 * screenshots: the same tick label twice on one axis, text labels drawn over each other or cut off
 * by their canvas, legends
 * reading "—"/"--" at rest, and a phone nav that clips a section without scrolling to it.
 *
 * The charts are uPlot canvases, whose text is pixels, so `recordCanvasText` (an init script) wraps
 * the 2-D context's `fillText` and keeps, per canvas, what the latest frame drew and where: uPlot
 * clears the whole canvas before each frame. Each text's box comes from the browser's own
 * `measureText` under the transform in force, in canvas pixels.
 */
import type { Page, TestInfo } from "@playwright/test";

/** One text drawn on a canvas: its box in canvas pixels and the drawing state that placed it. */
export interface DrawnText {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** The transformed anchor, which uPlot shares between the ticks of one axis. */
  x: number;
  y: number;
  font: string;
  align: string;
  baseline: string;
}

declare global {
  interface HTMLCanvasElement {
    __drawnText?: DrawnText[];
  }
}

/** Installs the recorder in every document `page` opens (before the app's scripts run). */
export async function recordCanvasText(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const proto = CanvasRenderingContext2D.prototype;
    const fillText = proto.fillText;
    const clearRect = proto.clearRect;
    proto.clearRect = function (x, y, w, h) {
      // A full clear starts a new frame (uPlot clears before each redraw).
      if (x <= 0 && y <= 0 && x + w >= this.canvas.width && y + h >= this.canvas.height)
        this.canvas.__drawnText = [];
      return clearRect.call(this, x, y, w, h);
    };
    proto.fillText = function (text, x, y, maxWidth) {
      const t = String(text);
      if (t.trim() !== "") {
        const m = this.measureText(t);
        const matrix = this.getTransform();
        const corners = [
          [x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent],
          [x + m.actualBoundingBoxRight, y - m.actualBoundingBoxAscent],
          [x - m.actualBoundingBoxLeft, y + m.actualBoundingBoxDescent],
          [x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent],
        ].map(([cx, cy]) => matrix.transformPoint(new DOMPoint(cx, cy)));
        const anchor = matrix.transformPoint(new DOMPoint(x, y));
        const xs = corners.map((p) => p.x);
        const ys = corners.map((p) => p.y);
        const list = this.canvas.__drawnText ?? [];
        list.push({
          text: t,
          left: Math.min(...xs),
          right: Math.max(...xs),
          top: Math.min(...ys),
          bottom: Math.max(...ys),
          x: anchor.x,
          y: anchor.y,
          font: this.font,
          align: this.textAlign,
          baseline: this.textBaseline,
        });
        this.canvas.__drawnText = list;
      }
      return maxWidth === undefined
        ? fillText.call(this, text, x, y)
        : fillText.call(this, text, x, y, maxWidth);
    };
  });
}

/** A chart on the page: its test id (or its label) and what its canvas drew last. */
interface ChartText {
  chart: string;
  texts: DrawnText[];
  width: number;
  height: number;
}

async function chartTexts(page: Page): Promise<ChartText[]> {
  return page.locator("canvas").evaluateAll((canvases) =>
    (canvases as HTMLCanvasElement[]).map((canvas) => {
      const holder = canvas.closest("[data-testid], [aria-label]");
      return {
        chart:
          holder?.getAttribute("data-testid") ??
          holder?.getAttribute("aria-label") ??
          `canvas ${canvas.width}`,
        texts: canvas.__drawnText ?? [],
        width: canvas.width,
        height: canvas.height,
      };
    }),
  );
}

/**
 * uPlot draws an axis's tick labels with one font, alignment and baseline ("middle" on a y axis,
 * "top" below an x axis) at one shared x (y axis) or y (x axis); plugin labels use "alphabetic".
 * Two equal labels in one such group are one value printed twice.
 */
export function duplicateTicks(texts: readonly DrawnText[]): string[] {
  const groups = new Map<string, string[]>();
  for (const t of texts) {
    if (t.baseline === "alphabetic") continue;
    for (const key of [`y-axis ${Math.round(t.x)}`, `x-axis ${Math.round(t.y)}`]) {
      const k = `${key}|${t.font}|${t.align}|${t.baseline}`;
      groups.set(k, [...(groups.get(k) ?? []), t.text]);
    }
  }
  const problems: string[] = [];
  for (const [key, labels] of groups) {
    if (labels.length < 2) continue;
    const seen = new Set<string>();
    for (const label of labels) {
      if (seen.has(label)) problems.push(`tick "${label}" twice on the ${key.split("|")[0]}`);
      seen.add(label);
    }
  }
  return [...new Set(problems)];
}

/** A drawn text and its box, rounded to canvas pixels, for a failure message. */
const where = (t: DrawnText) =>
  `"${t.text}" (x ${Math.round(t.left)}–${Math.round(t.right)}, y ${Math.round(t.top)}–${Math.round(t.bottom)})`;

/** Pairs of drawn texts whose boxes intersect by more than a pixel each way. */
export function overlappingTexts(texts: readonly DrawnText[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i] as DrawnText;
      const b = texts[j] as DrawnText;
      const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (dx > 1 && dy > 1) problems.push(`${where(a)} overlaps ${where(b)}`);
    }
  }
  return problems;
}

/** Texts drawn partly outside their canvas: cut off (a y-axis label "12.5 %" that reads ".5 %"). */
export function clippedTexts(texts: readonly DrawnText[], width: number, height: number): string[] {
  return texts
    .filter((t) => t.left < -0.5 || t.top < -0.5 || t.right > width + 0.5 || t.bottom > height + 0.5)
    .map((t) => `${where(t)} is cut off by the canvas (${width}×${height})`);
}

/** Every chart problem on the page, each prefixed with the chart that has it. */
export async function chartProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  for (const { chart, texts, width, height } of await chartTexts(page)) {
    const found = [
      ...duplicateTicks(texts),
      ...overlappingTexts(texts),
      ...clippedTexts(texts, width, height),
    ];
    for (const p of found) problems.push(`${chart}: ${p}`);
  }
  // SVG charts (bars, small multiples): their <text> boxes as laid out, in CSS pixels.
  const svgs = await page.locator("main svg").evaluateAll((all) =>
    all.map((svg) => ({
      chart:
        svg.closest("[data-testid], [aria-label]")?.getAttribute("data-testid") ??
        svg.closest("[data-testid], [aria-label]")?.getAttribute("aria-label") ??
        "svg",
      texts: [...svg.querySelectorAll("text")]
        .filter((t) => (t.textContent ?? "").trim() !== "")
        .map((t) => {
          const r = t.getBoundingClientRect();
          return {
            text: (t.textContent ?? "").trim(),
            left: r.left,
            right: r.right,
            top: r.top,
            bottom: r.bottom,
          };
        }),
    })),
  );
  for (const { chart, texts } of svgs) {
    const boxes = texts.map((t) => ({ ...t, x: t.left, y: t.bottom, font: "", align: "", baseline: "svg" }));
    for (const p of overlappingTexts(boxes)) problems.push(`${chart}: ${p}`);
  }
  // Legends at rest (the journeys never hover a chart) show values, not uPlot's placeholders.
  const legends = await page.locator(".u-legend .u-value").evaluateAll((cells) =>
    cells.map((cell) => ({
      value: (cell.textContent ?? "").trim(),
      chart:
        cell.closest("[data-testid], [aria-label]")?.getAttribute("data-testid") ??
        cell.closest("[data-testid], [aria-label]")?.getAttribute("aria-label") ??
        "chart",
      series: (cell.parentElement?.querySelector(".u-label")?.textContent ?? "").trim(),
    })),
  );
  for (const { value, chart, series } of legends) {
    if (/^(—|–|--|-)?$/.test(value)) problems.push(`${chart}: legend "${series}" reads "${value}" at rest`);
  }
  return problems;
}

/**
 * The section nav shows each link whole inside the screen, or scrolls sideways to it: a link cut
 * off by the edge with no way to reach it is a problem ("Settings" on a phone).
 */
export async function navProblems(page: Page): Promise<string[]> {
  return page.locator('nav[aria-label="Sections"]').evaluate((nav) => {
    const scrolls =
      ["auto", "scroll"].includes(getComputedStyle(nav).overflowX) && nav.scrollWidth > nav.clientWidth;
    const box = nav.getBoundingClientRect();
    const visible = {
      left: Math.max(0, box.left),
      right: Math.min(document.documentElement.clientWidth, box.right),
      top: Math.max(0, box.top),
      bottom: box.bottom,
    };
    const problems: string[] = [];
    for (const link of nav.querySelectorAll("a")) {
      const r = link.getBoundingClientRect();
      const whole =
        r.width > 0 &&
        r.height > 0 &&
        r.left >= visible.left - 0.5 &&
        r.right <= visible.right + 0.5 &&
        r.top >= visible.top - 0.5 &&
        r.bottom <= visible.bottom + 0.5;
      if (!whole && !scrolls)
        problems.push(`nav link "${link.textContent?.trim()}" is clipped and the nav does not scroll`);
    }
    return problems;
  });
}

/** A full-page screenshot from the top (scrolled, the sticky bar would be drawn mid-page), in the report. */
export async function attachShot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const body = await page.screenshot({ fullPage: true });
  await testInfo.attach(`${name} (${testInfo.project.name})`, { body, contentType: "image/png" });
}
