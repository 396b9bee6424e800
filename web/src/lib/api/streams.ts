/**
 * @module
 * Typed calls for the streams overview and the stream page. The shapes mirror the server's
 * schemas (`server/src/http/routes/streams/…`); only the fields the pages read are typed.
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export type StreamSummary = Schema<"StreamSummary">;
export type StreamState = StreamSummary["state"];
export type Stream = Schema<"Stream">;
export type StreamSeries = Schema<"StreamSeries">;

export type DriftEvent = Schema<"DriftEvent">;

/** What a succeeded batch run stores in `results` (`stats` batchCheck plus novelty). */
export interface RunResults {
  n?: number;
  /** `note`: why PSI flagged nothing (a window under 500); absent in older runs. */
  psi?: { values: number[]; flagged: number[]; note?: string };
  ks?: { statistics: number[]; pvalues: number[]; adjusted: number[]; flagged: number[] };
  /** `decision`, `threshold`, `alpha`, `confirmed`: the rule that decided; absent in older runs. */
  mmd?: null | {
    mmd2Unbiased: number;
    pValue: number;
    permutations: number;
    decision?: "people" | "threshold" | "permutation";
    /** The person-permutation test's units (people found a side) when it decided. */
    people?: { units: { reference: number; window: number }; repeatsDropped: number };
    threshold?: number;
    alpha?: number;
    confirmed?: boolean;
  };
  novelty?: { rate: number | null; threshold: number | null; queries: number };
  reference?: { id: number; version: number };
}

/** A batch run; `results` is free-form JSON on the wire, typed here as the pages read it. */
export type DriftRun = Omit<Schema<"DriftRun">, "results"> & { results: RunResults };

/**
 * `event` (the default): the embeddings' own `ts`, when the faces were seen; `arrival`: when the
 * server received them.
 */
export type SeriesTime = StreamSeries["time"];

export interface TimeRange {
  from: Date;
  to: Date;
  time?: SeriesTime;
}

const rangeQuery = (range: TimeRange) =>
  `from=${encodeURIComponent(range.from.toISOString())}&to=${encodeURIComponent(range.to.toISOString())}` +
  `&time=${range.time ?? "event"}`;
const path = (stream: string) => `/v1/streams/${encodeURIComponent(stream)}`;

export const listStreamSummaries = async (): Promise<StreamSummary[]> =>
  (await api<{ streams: StreamSummary[] }>("/v1/stream-summaries")).streams;

export const getStream = (stream: string): Promise<Stream> => api<Stream>(path(stream));

/** At most `points` points: a wider range comes bucketed (mean, min and max of PC1 per bucket). */
export const getSeries = (stream: string, range: TimeRange, points = 20_000): Promise<StreamSeries> =>
  api<StreamSeries>(`${path(stream)}/series?${rangeQuery(range)}&points=${points}`);

/** The ADWIN detections in the range (newest first; the overview of one range needs no paging). */
export const listDriftEvents = async (stream: string, range: TimeRange): Promise<DriftEvent[]> =>
  (await api<{ items: DriftEvent[] }>(`${path(stream)}/events?${rangeQuery(range)}&limit=500`)).items;

/** The latest 200 batch runs, newest first (the runs listing has no time filter). */
export const listRuns = async (stream: string): Promise<DriftRun[]> =>
  (await api<{ runs: DriftRun[] }>(`${path(stream)}/runs?limit=200`)).runs;

export type Pc1Snapshots = Schema<"Pc1Snapshots">;

/** PC1 histograms of the latest `runs` batch windows and the reference, on the reference's bins. */
export const getPc1Snapshots = (stream: string, runs = 8): Promise<Pc1Snapshots> =>
  api<Pc1Snapshots>(`${path(stream)}/pc1-snapshots?runs=${runs}`);
