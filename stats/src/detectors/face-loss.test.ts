import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { faceLossTest, fisherUpperTail } from "./face-loss.ts";

/** The hypergeometric tail by exact integer arithmetic. */
function bruteForceTail(k: number, marked: number, total: number, draws: number): number {
  const choose = (n: number, r: number): bigint => {
    if (r < 0 || r > n) return 0n;
    let out = 1n;
    for (let i = 1; i <= r; i++) out = (out * BigInt(n - r + i)) / BigInt(i);
    return out;
  };
  let hits = 0n;
  for (let x = k; x <= Math.min(marked, draws); x++)
    hits += choose(marked, x) * choose(total - marked, draws - x);
  return Number(hits) / Number(choose(total, draws));
}

/** The tail summed over every term with ln(n!) summed exactly: slow, but with nothing left out. */
function fullTail(k: number, marked: number, total: number, draws: number): number {
  const lf = new Float64Array(total + 1);
  for (let i = 2; i <= total; i++) lf[i] = (lf[i - 1] as number) + Math.log(i);
  const logChoose = (n: number, r: number) => (lf[n] as number) - (lf[r] as number) - (lf[n - r] as number);
  let sum = 0;
  for (let x = Math.max(k, draws - (total - marked), 0); x <= Math.min(marked, draws); x++)
    sum += Math.exp(logChoose(marked, x) + logChoose(total - marked, draws - x) - logChoose(total, draws));
  return Math.min(1, sum);
}

describe("faces lost (Fisher's exact test on the failure-to-extract rate)", () => {
  it("agrees with the full sum on large counts (Stirling's ln n!, the tail cut where it is negligible)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 300, max: 5000 })
          .chain((total) =>
            fc.tuple(
              fc.constant(total),
              fc.integer({ min: 0, max: total }),
              fc.integer({ min: 0, max: total }),
              fc.double({ min: 0, max: 1, noNaN: true }),
            ),
          ),
        ([total, marked, draws, at]) => {
          const k = Math.round(at * Math.min(marked, draws));
          const expected = fullTail(k, marked, total, draws);
          const got = fisherUpperTail(k, marked, total, draws);
          expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-9 * Math.max(expected, 1e-300) + 1e-300);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("computes the hypergeometric upper tail exactly", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 60 })
          .chain((total) =>
            fc.tuple(
              fc.constant(total),
              fc.integer({ min: 0, max: total }),
              fc.integer({ min: 0, max: total }),
              fc.integer({ min: 0, max: total }),
            ),
          ),
        ([total, marked, draws, k]) => {
          expect(fisherUpperTail(k, marked, total, draws)).toBeCloseTo(
            bruteForceTail(k, marked, total, draws),
            10,
          );
        },
      ),
    );
  });

  it("fires when a batch loses far more faces than before, and states the cost", () => {
    const lost = faceLossTest({ photos: 2000, lost: 8 }, { photos: 200, lost: 150 });
    expect(lost.fired).toBe(true);
    expect(lost.pValue).toBeLessThan(1e-10);
    expect(lost.predictedDeltaAuc).toBeCloseTo(0.75 - 0.004, 10);
  });

  it("stays quiet on the usual share of photos without a face, or fewer", () => {
    expect(faceLossTest({ photos: 2000, lost: 100 }, { photos: 200, lost: 13 }).fired).toBe(false);
    const better = faceLossTest({ photos: 2000, lost: 100 }, { photos: 200, lost: 0 });
    expect(better).toMatchObject({ fired: false, predictedDeltaAuc: 0 });
    expect(better.pValue).toBe(1);
  });

  it("tests the counts an extraction report may carry (up to a million attempts) without overflowing", () => {
    // A day of video at 10 frames a second, 30 % of frames without a face, against a day like it:
    // the tail spans 259,200 terms (a spread of them into Math.max overflowed the call stack).
    const steady = faceLossTest({ photos: 864_000, lost: 259_200 }, { photos: 864_000, lost: 259_200 });
    expect(steady.fired).toBe(false);
    expect(steady.pValue).toBeGreaterThan(0.4);
    expect(steady.pValue).toBeLessThan(0.6);
    const worse = faceLossTest({ photos: 1_000_000, lost: 400_000 }, { photos: 1_000_000, lost: 500_000 });
    expect(worse).toMatchObject({ fired: true, pValue: 0 });
    expect(worse.predictedDeltaAuc).toBeCloseTo(0.1, 10);
    expect(fisherUpperTail(0, 1_000_000, 2_000_000, 1_000_000)).toBeCloseTo(1, 5);
  });

  it("says why it cannot test yet, and refuses impossible counts", () => {
    expect(faceLossTest({ photos: 50, lost: 0 }, { photos: 200, lost: 200 })).toMatchObject({
      fired: false,
      note: expect.stringContaining("needs 100 earlier photos"),
    });
    expect(() => faceLossTest({ photos: 10, lost: 11 }, { photos: 1, lost: 0 })).toThrow(/before: lost/);
  });
});
