import { describe, expect, it } from "vitest";
import type { DriftEvent, DriftRun, StreamSeries } from "$lib/api/streams.ts";
import {
  changePoints,
  componentVerdicts,
  lastAtOrBefore,
  meanAndSigma,
  mmdWindowRows,
  qualityShift,
  rollingMean,
  runColumns,
  windowScores,
} from "./stream-view.ts";

const series = (over: Partial<StreamSeries> = {}): StreamSeries => ({
  reference: null,
  from: "",
  to: "",
  time: "arrival",
  total: 6,
  perPoint: 1,
  t: [1000, 2000, 3000, 4000, 5000, 6000],
  seq: [10, 12, 14, 16, 18, 20],
  pc1: [0, 0.1, -0.1, 1, 1.1, 0.9],
  pc1Min: null,
  pc1Max: null,
  faceSize: [120, 130, null, 70, 74, 72],
  brightness: [130, 130, 130, 60, 60, 60],
  blur: [null, null, null, null, null, null],
  ...over,
});
const event = (seq: number, eventTime: number | null = null, signal = "pc1"): DriftEvent => ({
  id: seq,
  seq,
  signal,
  meanBefore: 0,
  meanAfter: 1,
  referenceSetId: 1,
  details: {},
  eventTime: eventTime === null ? null : new Date(eventTime).toISOString(),
  detectedAt: "",
});
const run = (id: number, results: DriftRun["results"], extra: Partial<DriftRun> = {}): DriftRun => ({
  id,
  kind: "manual",
  status: "succeeded",
  severity: "none",
  drift: false,
  referenceSetId: 1,
  idempotencyKey: null,
  windowStart: null,
  windowEnd: null,
  fromSeq: null,
  toSeq: null,
  results,
  error: null,
  startedAt: new Date(id * 1000).toISOString(),
  finishedAt: new Date(id * 1000 + 500).toISOString(),
  ...extra,
});

describe("stream page views", () => {
  it("finds the last value at or before a target", () => {
    expect(lastAtOrBefore([10, 12, 14], 9)).toBe(-1);
    expect(lastAtOrBefore([10, 12, 14], 12)).toBe(1);
    expect(lastAtOrBefore([10, 12, 14], 13)).toBe(1);
    expect(lastAtOrBefore([10, 12, 14], 99)).toBe(2);
  });

  it("places detections at the time of their embedding (or bucket) and drops those outside", () => {
    const points = changePoints(series(), [event(17), event(16), event(5), event(21)]);
    expect(points.map((p) => [p.seq, p.x, p.at])).toEqual([
      [16, 3, 4000],
      [17, 3, 4000],
    ]);
  });

  it("on event time, places a detection by its embedding's ts (seqs are then out of order) and names what fired", () => {
    // Posted newest first: seq order is the reverse of ts order.
    const byTs = series({ time: "event", seq: [20, 18, 16, 14, 12, 10] });
    const points = changePoints(byTs, [
      event(14, 4000, "mmd"),
      event(18, 2500),
      event(16, 3000, "quality"),
      event(10, 9000),
      event(11, null),
    ]);
    expect(points.map((p) => [p.seq, p.x, p.at, p.label])).toEqual([
      [18, 1, 2000, "PC1 shift"],
      [16, 2, 3000, "quality shift"],
      [14, 3, 4000, "MMD² window"],
    ]);
  });

  it("turns runs into columns and ranks the latest run's components, flagged first", () => {
    const runs = [
      run(1, {
        psi: { values: [0.01, 0.02], flagged: [] },
        mmd: null,
        novelty: { rate: 0.01, threshold: 1, queries: 5 },
      }),
      run(2, {
        psi: { values: [0.3, 0.05], flagged: [0] },
        ks: { statistics: [0.4, 0.2], pvalues: [0, 0.001], adjusted: [0, 0.002], flagged: [0, 1] },
        mmd: { mmd2Unbiased: 0.1, pValue: 0.001, permutations: 999 },
      }),
    ];
    const columns = runColumns(runs);
    expect(columns.t).toEqual([1500, 2500]);
    // Both finished in the same minute: the second is told apart by its place, not its id.
    expect(columns.labels[1]).toBe(`${columns.labels[0]} (2)`);
    expect(columns.labels[0]).not.toContain("#");
    expect(columns.psi).toEqual([
      [0.01, 0.3],
      [0.02, 0.05],
    ]);
    expect(columns.mmd2).toEqual([null, 0.1]);
    expect(columns.mmdP).toEqual([null, 0.001]);
    expect(columns.novelty).toEqual([0.01, null]);
    expect(
      componentVerdicts(runs[1] as DriftRun).map((v) => [v.component, v.psiFlagged, v.ksFlagged]),
    ).toEqual([
      [0, true, true],
      [1, false, true],
    ]);
  });

  it("takes a run's window from an unbucketed series, and compares quality around a change point", () => {
    expect(windowScores(series(), run(1, {}, { fromSeq: 16, toSeq: 20 }))).toEqual([1, 1.1, 0.9]);
    expect(windowScores(series({ perPoint: 3 }), undefined)).toBeNull();
    expect(qualityShift(series(), 2)).toEqual([
      { signal: "faceSize", before: 125, after: 72 },
      { signal: "brightness", before: 130, after: 60 },
      { signal: "blur", before: null, after: null },
    ]);
  });

  it("states the reference's PC1 spread, and smooths PC1 with a rolling mean over gaps", () => {
    expect(meanAndSigma([1, 2, 3, 4])).toEqual({ mean: 2.5, sigma: Math.sqrt(5 / 3) });
    expect(meanAndSigma([1])).toBeNull();
    expect(rollingMean([1, 3, null, 5, 7], 2)).toEqual([1, 2, 3, 5, 6]);
    expect(rollingMean([null, null], 3)).toEqual([null, null]);
  });
});

describe("mmdWindowRows", () => {
  it("reads the window's own size, which a small reference makes smaller than 500", () => {
    expect(mmdWindowRows({ details: { window: { rows: 298, from: "", to: "" } } })).toBe(298);
    expect(mmdWindowRows({ details: {} })).toBeNull();
    expect(mmdWindowRows({ details: { window: { rows: "500" } } })).toBeNull();
  });
});
