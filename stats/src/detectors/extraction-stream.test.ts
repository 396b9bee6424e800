import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../numeric/random.ts";
import {
  EXTRACTION_ALPHA,
  EXTRACTION_BLOCK_ATTEMPTS,
  type ExtractionFinding,
  type ExtractionStreamState,
  emptyExtractionState,
  extractionStateFrom,
  stepExtraction,
} from "./extraction-stream.ts";

interface Run {
  /** Attempt index (0-based, counted over the whole run) at which each finding fired. */
  firedAt: number[];
  findings: ExtractionFinding[];
  state: ExtractionStreamState;
}

/**
 * Feeds reports of `reportSize` attempts, each attempt failing with `rate(attemptIndex)`, until
 * `attempts` attempts; returns where findings fired.
 */
function run(
  seed: number,
  attempts: number,
  rate: (attempt: number) => number,
  reportSize: (rng: () => number) => number = () => 25,
): Run {
  const rng = seededRng(seed);
  let state = emptyExtractionState();
  const firedAt: number[] = [];
  const findings: ExtractionFinding[] = [];
  let done = 0;
  let seq = 0;
  while (done < attempts) {
    const size = Math.min(reportSize(rng), attempts - done);
    let noFace = 0;
    for (let i = 0; i < size; i++) if (rng() < rate(done + i)) noFace++;
    done += size;
    const step = stepExtraction(state, { seq: ++seq, attempted: size, noFace });
    state = step.state;
    if (step.finding) {
      firedAt.push(done - 1);
      findings.push(step.finding);
    }
  }
  return { firedAt, findings, state };
}

describe("faces lost in a stream of extraction reports", () => {
  it("catches 2 % → 60 % (strong pixelation) within 600 attempts wherever it starts, and states the rise", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const start = 3000 + ((seed * 37) % 200); // the change falls anywhere inside a block
      const r = run(seed, start + 1000, (i) => (i < start ? 0.02 : 0.6));
      expect(r.firedAt.length).toBe(1);
      const delay = (r.firedAt[0] as number) - start;
      expect(delay).toBeGreaterThanOrEqual(0);
      // Fired within two blocks of the change, reported one block later with the level measured.
      expect(delay).toBeLessThan(3 * EXTRACTION_BLOCK_ATTEMPTS + 25);
      const finding = r.findings[0] as ExtractionFinding;
      // The window's own average is diluted when the change began inside it; the new level after
      // the likeliest split is close to the true rise of 0.58.
      expect(finding.result.predictedDeltaAuc).toBeLessThanOrEqual(finding.predictedDeltaAuc);
      expect(Math.abs(finding.predictedDeltaAuc - 0.58)).toBeLessThan(Math.max(0.1, 3 * finding.error));
      expect(finding.result.pValue).toBeLessThan(EXTRACTION_ALPHA);
    }
  });

  it("catches every face lost (a lens cap) within one or two blocks, even in one large report", () => {
    const capped = run(7, 4000, (i) => (i < 3000 ? 0.02 : 1));
    expect(capped.firedAt[0]).toBeLessThan(3000 + 3 * EXTRACTION_BLOCK_ATTEMPTS);
    expect(capped.findings[0]?.predictedDeltaAuc).toBeGreaterThan(0.95);
    // A client that reports once per 1,000 frames: the report is its own block.
    const large = run(
      8,
      7000,
      (i) => (i < 5000 ? 0.02 : 1),
      () => 1000,
    );
    // Fired on the report that ends at 6,000, reported with the next one.
    expect(large.firedAt).toEqual([6999]);
    expect(large.findings[0]?.result.now).toMatchObject({ photos: 1000, lost: 1000 });
    expect(large.findings[0]?.since).toMatchObject({ attempts: 2000, noFace: 2000 });
  });

  it("catches smaller costly rises with the long window: 2 % → 5 % and 0 % → 1 % within 1,000 attempts mostly", () => {
    const delays = (from: number, to: number) =>
      Array.from({ length: 40 }, (_, s) => {
        const r = run(100 + s, 4000, (i) => (i < 3000 ? from : to));
        const after = r.firedAt.filter((a) => a >= 3000);
        return after.length > 0 ? (after[0] as number) - 3000 : Number.POSITIVE_INFINITY;
      });
    const within = (ds: number[]) => ds.filter((d) => d < 1000).length / ds.length;
    // Measured with these seeds (reports of 25): 2 → 5 %: 0.85; 0 → 1 %: 0.875. The bounds leave room, not slack
    // for a detector that stops working (each is far above the ≤ 0.05 a blind detector reaches).
    expect(within(delays(0.02, 0.05))).toBeGreaterThanOrEqual(0.7);
    expect(within(delays(0, 0.01))).toBeGreaterThanOrEqual(0.8);
  });

  it("stays quiet over a long clean run: at most 0.05 false alarms per 10,000 attempts (seeded)", () => {
    // 40 streams × 250,000 attempts at a steady 2 % (40 × 1,250 blocks, two tests each).
    let alarms = 0;
    let attempts = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = run(
        1000 + seed,
        250_000,
        () => 0.02,
        (rng) => 1 + Math.floor(rng() * 60),
      );
      alarms += r.firedAt.length;
      attempts += 250_000;
    }
    const per10k = (alarms / attempts) * 10_000;
    expect(per10k).toBeLessThanOrEqual(0.05);
  });

  it("keeps only the blocks its next tests need", () => {
    const r = run(3, 50_000, () => 0.1);
    const kept = r.state.blocks.reduce((s, b) => s + b.attempted, 0);
    expect(kept).toBeLessThan(3000 + 2 * EXTRACTION_BLOCK_ATTEMPTS);
    expect(kept).toBeGreaterThanOrEqual(3000);
  });

  it("gives the same findings when replayed from any saved state (a crash between reports)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .integer({ min: 1, max: 400 })
            .chain((attempted) => fc.tuple(fc.constant(attempted), fc.integer({ min: 0, max: attempted }))),
          { minLength: 1, maxLength: 80 },
        ),
        fc.nat(),
        (reports, cut) => {
          const feed = (state: ExtractionStreamState, from: number, to: number) => {
            const found: (ExtractionFinding | null)[] = [];
            for (let i = from; i < to; i++) {
              const [attempted, noFace] = reports[i] as [number, number];
              const step = stepExtraction(state, { seq: i + 1, attempted, noFace });
              state = step.state;
              found.push(step.finding);
            }
            return { state, found };
          };
          const whole = feed(emptyExtractionState(), 0, reports.length);
          const at = cut % reports.length;
          const first = feed(emptyExtractionState(), 0, at);
          // What the checkpoint holds is JSON.
          const saved = extractionStateFrom(JSON.parse(JSON.stringify(first.state)));
          const rest = feed(saved, at, reports.length);
          expect([...first.found, ...rest.found]).toEqual(whole.found);
          expect(rest.state).toEqual(whole.state);
        },
      ),
    );
  });

  it("never fires when the rate falls, and refuses impossible counts", () => {
    const better = run(5, 8000, (i) => (i < 4000 ? 0.3 : 0.01));
    expect(better.firedAt).toEqual([]);
    expect(() => stepExtraction(emptyExtractionState(), { seq: 1, attempted: 3, noFace: 4 })).toThrow(
      RangeError,
    );
    expect(() => stepExtraction(emptyExtractionState(), { seq: 1, attempted: 1.5, noFace: 0 })).toThrow(
      RangeError,
    );
    expect(extractionStateFrom({ format: 99 })).toEqual(emptyExtractionState());
  });
});

describe("extraction reports as large as the API takes", () => {
  it("steps through reports of 864,000 attempts (a day at 10 frames a second) and finds a rise", () => {
    let state = emptyExtractionState();
    const findings: ExtractionFinding[] = [];
    for (let seq = 1; seq <= 6; seq++) {
      const noFace = seq <= 4 ? 259_200 : 432_000; // 30 %, then 50 %
      const step = stepExtraction(state, { seq, attempted: 864_000, noFace });
      state = step.state;
      if (step.finding) findings.push(step.finding);
    }
    expect(findings).toHaveLength(1);
    expect(findings[0]?.predictedDeltaAuc).toBeCloseTo(0.2, 2);
  });
});
