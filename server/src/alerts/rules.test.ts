import { describe, expect, it } from "vitest";
import { consecutive, psiPersists } from "./rules.ts";

describe("psiPersists", () => {
  it("fires when the same dimension is at or above 0.1 in the last 2 runs", () => {
    const history = [{ psi: [0.3, 0.0, 0.0] }, { psi: [0.05, 0.12, 0.1] }, { psi: [0.02, 0.2, 0.1] }];
    expect(psiPersists(history)).toEqual({ fires: true, dimensions: [1, 2] });
  });

  it("does not fire when the threshold is crossed on different dimensions", () => {
    expect(psiPersists([{ psi: [0.2, 0.0] }, { psi: [0.0, 0.2] }])).toEqual({ fires: false, dimensions: [] });
  });

  it("needs as many runs as asked for", () => {
    expect(psiPersists([{ psi: [0.5] }])).toEqual({ fires: false, dimensions: [] });
    const history = [{ psi: [0.5] }, { psi: [0.5] }, { psi: [0.09] }];
    expect(psiPersists(history, { runs: 2 }).fires).toBe(false);
    expect(psiPersists(history, { runs: 1, threshold: 0.05 })).toEqual({ fires: true, dimensions: [0] });
    expect(psiPersists(history.slice(0, 2), { runs: 2, threshold: 0.25 }).fires).toBe(true);
  });

  it("rejects a bad run count or threshold", () => {
    expect(() => psiPersists([], { runs: 0 })).toThrow(/runs/);
    expect(() => psiPersists([], { threshold: Number.NaN })).toThrow(/threshold/);
  });
});

describe("consecutive", () => {
  it("checks the last n runs only", () => {
    const pValues = [0.001, 0.5, 0.004, 0.002];
    expect(consecutive(pValues, 2, (p) => p < 0.01)).toBe(true);
    expect(consecutive(pValues, 3, (p) => p < 0.01)).toBe(false);
    expect(consecutive(pValues, 5, () => true)).toBe(false);
  });
});
