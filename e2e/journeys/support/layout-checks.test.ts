/**
 * The layout checks' rules on texts as uPlot and its plugins draw them (boxes in canvas pixels):
 * each rule must flag the problem it names and pass the layouts the dashboard draws when it is
 * right, or the journeys' screenshot checks could neither fail nor pass honestly.
 */
import { describe, expect, it } from "vitest";
import { clippedTexts, type DrawnText, duplicateTicks, overlappingTexts } from "./layout-checks.ts";

const FONT = "12px system-ui";
/** A y-axis tick label as uPlot draws it: right-aligned, middle baseline, at the axis's x. */
const yTick = (text: string, y: number): DrawnText => ({
  text,
  left: 40 - text.length * 6,
  right: 40,
  top: y - 5,
  bottom: y + 5,
  x: 40,
  y,
  font: FONT,
  align: "right",
  baseline: "middle",
});
/** A change-point label as `verticalMarkers` draws it: left-aligned on the alphabetic baseline. */
const marker = (text: string, left: number, baseline: number): DrawnText => ({
  text,
  left,
  right: left + text.length * 6,
  top: baseline - 9,
  bottom: baseline + 2,
  x: left,
  y: baseline,
  font: FONT,
  align: "left",
  baseline: "alphabetic",
});

describe("layout checks", () => {
  it("flag a tick label printed twice on one axis, not equal labels on different axes or plot labels", () => {
    expect(duplicateTicks([yTick("0.004", 20), yTick("0.004", 60), yTick("0.003", 100)])).toEqual([
      'tick "0.004" twice on the y-axis 40',
    ]);
    expect(duplicateTicks([yTick("0.004", 20), yTick("0.003", 60)])).toEqual([]);
    // Two change points with the same name are not ticks.
    expect(duplicateTicks([marker("PC1 shift", 100, 12), marker("PC1 shift", 300, 12)])).toEqual([]);
    const rightAxis = { ...yTick("1", 20), x: 500, align: "left" };
    expect(duplicateTicks([yTick("1", 20), rightAxis])).toEqual([]);
  });

  it("flag labels drawn over each other, not labels side by side or on two rows", () => {
    const [overlap] = overlappingTexts([marker("PC1 shift", 100, 12), marker("MMD² window", 140, 12)]);
    expect(overlap).toMatch(/^"PC1 shift" \(x 100–154, y 3–14\) overlaps "MMD² window"/);
    expect(overlappingTexts([marker("PC1 shift", 100, 12), marker("MMD² window", 160, 12)])).toEqual([]);
    expect(overlappingTexts([marker("PC1 shift", 100, 12), marker("MMD² window", 110, 25)])).toEqual([]);
  });

  it("flag a label cut off by its canvas", () => {
    expect(clippedTexts([yTick("12.5 %", 20)], 300, 200)).toEqual([]);
    expect(clippedTexts([{ ...yTick("12.5 %", 20), left: -4 }], 300, 200)).toEqual([
      '"12.5 %" (x -4–40, y 15–25) is cut off by the canvas (300×200)',
    ]);
    expect(clippedTexts([marker("quality shift", 250, 12)], 300, 200)).toHaveLength(1);
  });
});
