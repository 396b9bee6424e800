import { describe, expect, it } from "vitest";
import { mmd } from "./mmd.ts";
import { mmdTable, windowMmd2 } from "./mmd-table.ts";
import { seededRng } from "./numeric/random.ts";

const rows = (n: number, d: number, seed: number, shift = 0) => {
  const rng = seededRng(seed);
  return Float32Array.from({ length: n * d }, () => rng() + shift);
};

describe("windowMmd2", () => {
  it("equals stats' unbiased MMD² on the materialised window, repeats included", () => {
    const d = 6;
    const reference = rows(40, d, 1);
    const pool = rows(25, d, 2, 0.3);
    const table = mmdTable(reference, 40, pool, 25, d, 0.9);
    const rng = seededRng(3);
    for (const n of [2, 7, 60]) {
      const picked = Array.from({ length: n }, () => Math.floor(rng() * 25));
      const window = new Float32Array(n * d);
      picked.forEach((r, i) => {
        window.set(pool.subarray(r * d, (r + 1) * d), i * d);
      });
      const expected = mmd(reference, 40, window, n, d, { sigma: 0.9 }).mmd2Unbiased;
      expect(windowMmd2(table, picked)).toBeCloseTo(expected, 10);
    }
  });
});
