import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Adwin, type AdwinState, runAdwin } from "./adwin.ts";
import { oraclePath } from "./testing/oracles.ts";

interface AdwinOracle {
  name: string;
  params: {
    delta: number;
    clock: number;
    max_buckets: number;
    min_window_length: number;
    grace_period: number;
  };
  values: number[];
  detections: number[];
  width_after_each_detection: number[];
  final: { width: number; total: number; estimation: number; variance: number };
  checkpoints_every_1000: Array<{
    index: number;
    width: number;
    total: number;
    variance: number;
    drift_detected: boolean;
  }>;
}

const load = (name: string): AdwinOracle =>
  JSON.parse(readFileSync(oraclePath(`adwin/${name}.json`), "utf8"));
const paramsOf = (o: AdwinOracle) => ({
  delta: o.params.delta,
  clock: o.params.clock,
  maxBuckets: o.params.max_buckets,
  minWindowLength: o.params.min_window_length,
  gracePeriod: o.params.grace_period,
});
/** Feeds values whose stream indices start at `offset`, collecting detection indices. */
function feed(adwin: Adwin, values: number[], offset: number, detections: number[]): void {
  values.forEach((x, i) => {
    if (adwin.update(x)) detections.push(offset + i);
  });
}
const relClose = (actual: number, expected: number, tol = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

describe.each(["s1", "s4", "s6", "river_basic", "river_multi"])("ADWIN against River oracle %s", (name) => {
  const oracle = load(name);

  it("detects at exactly River's indices, with River's widths and final window", () => {
    const adwin = new Adwin(paramsOf(oracle));
    const detections: number[] = [];
    const widths: number[] = [];
    const checkpoints = new Map(oracle.checkpoints_every_1000.map((c) => [c.index, c]));
    oracle.values.forEach((x, i) => {
      if (adwin.update(x)) {
        detections.push(i);
        widths.push(adwin.summary().width);
      }
      const c = checkpoints.get(i);
      if (c) {
        const s = adwin.summary();
        expect(s.width).toBe(c.width);
        relClose(s.total, c.total);
        relClose(s.variance, c.variance);
        expect(adwin.driftDetected).toBe(c.drift_detected);
      }
    });
    expect(detections).toEqual(oracle.detections);
    expect(widths).toEqual(oracle.width_after_each_detection);
    const final = adwin.summary();
    expect(final.width).toBe(oracle.final.width);
    relClose(final.total, oracle.final.total);
    relClose(final.estimation, oracle.final.estimation);
    relClose(final.variance, oracle.final.variance);
  });

  it("restores a JSON checkpoint taken anywhere mid-stream and continues identically", () => {
    const reference = runAdwin(oracle.values, paramsOf(oracle));
    const at = Math.floor(oracle.values.length * 0.51);
    const first = new Adwin(paramsOf(oracle));
    const detections: number[] = [];
    feed(first, oracle.values.slice(0, at), 0, detections);
    const restored = Adwin.fromJSON(JSON.parse(JSON.stringify(first)) as AdwinState);
    feed(restored, oracle.values.slice(at), at, detections);
    expect(detections).toEqual(reference.detections);
    expect(restored.summary()).toEqual(reference.final);
  });
});

describe("ADWIN properties", () => {
  it("JSON round trip at any point leaves all later detections and the final state unchanged", () => {
    const stream = fc.array(
      fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(0, 1, 10)),
      {
        minLength: 50,
        maxLength: 3000,
      },
    );
    fc.assert(
      fc.property(stream, fc.nat(), fc.constantFrom(1, 4, 32), (values, cut, clock) => {
        const params = { clock, gracePeriod: 5 };
        const at = cut % values.length;
        const reference = runAdwin(values, params);
        const a = new Adwin(params);
        const detections: number[] = [];
        feed(a, values.slice(0, at), 0, detections);
        const b = Adwin.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
        feed(b, values.slice(at), at, detections);
        expect(detections).toEqual(reference.detections);
        expect(b.summary()).toEqual(reference.final);
      }),
      { numRuns: 150, seed: 20261126 },
    );
  });

  it("the window total always equals the sum of the most recent `width` values", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 2000 }), (values) => {
        const adwin = new Adwin({ clock: 1 });
        values.forEach((x) => {
          adwin.update(x);
        });
        const { width, total } = adwin.summary();
        const tail = values.slice(values.length - width).reduce((s, x) => s + x, 0);
        expect(total).toBe(tail);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it("rejects invalid parameters and foreign checkpoints with a message naming the problem", () => {
    expect(() => new Adwin({ delta: 0 })).toThrow(/delta/);
    expect(() => new Adwin({ clock: 0 })).toThrow(/clock/);
    expect(() => Adwin.fromJSON({ format: "other" } as unknown as AdwinState)).toThrow(/format/);
  });
});
