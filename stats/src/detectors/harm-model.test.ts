import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import { fitHarmModel, type HarmObservation, harmEffects, inputSeverity, predictHarm } from "./harm-model.ts";
import type { QualityWindowResult } from "./quality-window.ts";

/** Changes whose cost comes from blur and from lost identity detail, in known amounts, with noise. */
function observations(seed: number): HarmObservation[] {
  const rng = seededRng(seed);
  const rows: HarmObservation[] = [
    { family: "clean", effects: { blur: 0, embeddingResidual: 0 }, deltaAuc: 0 },
  ];
  for (let f = 0; f < 12; f++) {
    for (const strength of [0.5, 1]) {
      const blur = -4 * strength * rng();
      const residual = -1.5 * strength * rng();
      const brightness = 3 * (rng() - 0.5);
      rows.push({
        family: `family-${f}`,
        effects: { blur, embeddingResidual: residual, brightness },
        deltaAuc: 0.004 * Math.max(0, -blur) + 0.05 * Math.max(0, -residual) + 0.001 * (rng() - 0.5),
      });
    }
  }
  return rows;
}

describe("fitHarmModel with the embedding residual", () => {
  it("charges lost identity detail (residual down) and leaves harmless movement uncharged", () => {
    const model = fitHarmModel("m", ["blur", "brightness", "embeddingResidual"], observations(1), {
      ridge: 0.001,
    });
    const residualDown = model.terms.find((t) => t.signal === "embeddingResidual" && t.direction === "down");
    expect(residualDown?.coefficient).toBeGreaterThan(0.03);
    expect(model.terms.some((t) => t.signal === "embeddingResidual" && t.direction === "up")).toBe(false);
    const costly = predictHarm(model, { blur: -0.5, embeddingResidual: -1 }).deltaAuc;
    const cheap = predictHarm(model, { blur: -0.5, embeddingResidual: 0, brightness: 1.5 }).deltaAuc;
    expect(costly).toBeGreaterThan(cheap + 0.03);
    expect(inputSeverity({ deltaAuc: costly })).toBe("critical");
    expect(model.error.rmse).toBeLessThan(0.01);
  });

  it("predicts from the quality signals alone for a window without a residual level", () => {
    const model = fitHarmModel("m", ["blur", "embeddingResidual"], observations(2), { ridge: 0.001 });
    const withoutResidual = predictHarm(model, { blur: -3 }).deltaAuc;
    const zeroResidual = predictHarm(model, { blur: -3, embeddingResidual: 0 }).deltaAuc;
    expect(withoutResidual).toBeCloseTo(zeroResidual, 12);
  });

  it("never predicts less harm for a window that moved further (property)", () => {
    const model = fitHarmModel("m", ["blur", "brightness", "embeddingResidual"], observations(3));
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 0, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (residual, further) => {
          const a = predictHarm(model, { embeddingResidual: residual }).deltaAuc;
          const b = predictHarm(model, { embeddingResidual: residual - further }).deltaAuc;
          expect(b).toBeGreaterThanOrEqual(a - 1e-15);
        },
      ),
    );
  });
});

describe("harmEffects", () => {
  const result = {
    signals: [
      { name: "blur", mean: 0, z: -5, effect: -2, rows: 100 },
      { name: "noise", mean: 0, z: 1, effect: 0.4, rows: 100 },
    ],
  } as unknown as QualityWindowResult;

  it("joins the quality signals' effects and the residual's", () => {
    expect(harmEffects(result, -0.7)).toEqual({ blur: -2, noise: 0.4, embeddingResidual: -0.7 });
  });

  it("leaves the residual out when the reference has no level or it is not a number", () => {
    expect(harmEffects(result, null)).toEqual({ blur: -2, noise: 0.4 });
    expect(harmEffects(result, Number.NaN)).toEqual({ blur: -2, noise: 0.4 });
  });
});
