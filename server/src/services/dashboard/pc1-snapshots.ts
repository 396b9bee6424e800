/**
 * @module
 * PC1 histogram snapshots: the distribution of PC1 in each of a stream's last batch windows, on
 * the same bins as the reference's, so the dashboard can show how the distribution moved run by
 * run (small multiples) rather than only the latest window against the reference.
 *
 * The bins are fixed by the reference: `BINS` equal-width bins between its PC1 sample's 0.5th and
 * 99.5th percentiles, the two end bins open (a window's values beyond them land there), so a
 * window that moved far shows as mass piling up at an edge. Windows are the runs' own rows
 * (`from_seq`–`to_seq`: a window's time bounds may be the request's, with the next window's first
 * rows on the closing instant); scores are the streaming worker's cached ones where
 * it has passed, else projected in the database, and binned there (`width_bucket`): only the counts
 * leave it. Runs fitted against an older reference version are left out: their PC1 is another axis.
 */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { getActiveReferenceSet } from "../reference-sets/get-active.ts";
import { referencePc1Sample } from "./pc1-series.ts";

export const SNAPSHOT_BINS = 30;
export const MAX_SNAPSHOTS = 24;

export interface Pc1Snapshot {
  runId: number;
  windowStart: string;
  windowEnd: string;
  finishedAt: string | null;
  drift: boolean | null;
  severity: string | null;
  /** PSI of PC1 as the run computed it (on the reference's PSI bins). */
  psiPc1: number | null;
  /** Embeddings in the window. */
  n: number;
  /** Share of the window in each bin (sums to 1; all zero for an empty window). */
  shares: number[];
}

export interface Pc1Snapshots {
  reference: { id: number; version: number; sampleSize: number } | null;
  /** `SNAPSHOT_BINS + 1` edges; the first and last bins also hold what lies beyond them. */
  edges: number[];
  referenceShares: number[];
  /** Oldest first. */
  snapshots: Pc1Snapshot[];
}

/** The quantile of sorted values, numpy's "linear" rule (as the PSI bins are fitted). */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const lo = sorted[below] as number;
  return lo + ((sorted[above] as number) - lo) * (position - below);
}

/** `bins` equal-width bins over the sample's central 99 %; one bin around a constant sample. */
export function snapshotEdges(sample: readonly number[], bins = SNAPSHOT_BINS): number[] {
  const sorted = sample.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  let lo = quantile(sorted, 0.005);
  let hi = quantile(sorted, 0.995);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}

/** Shares of `values` per bin of `edges`, end bins open. */
export function binShares(values: readonly number[], edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(Math.max(0, bins)).fill(0);
  if (bins < 1) return counts;
  const lo = edges[0] as number;
  const width = ((edges[bins] as number) - lo) / bins;
  let n = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    const bin = Math.max(0, Math.min(bins - 1, Math.floor((value - lo) / width)));
    counts[bin] = (counts[bin] as number) + 1;
    n++;
  }
  return counts.map((c) => (n === 0 ? 0 : c / n));
}

export async function pc1Snapshots(
  db: Executor,
  query: { streamId: number; runs: number },
): Promise<Pc1Snapshots> {
  const reference = await getActiveReferenceSet(db, query.streamId);
  const profile = reference?.profile as
    | {
        pca?: { mean: number[]; components: number[]; dim: number };
        ksSample?: { rows: number; scores: number[] };
      }
    | null
    | undefined;
  const pca = profile?.pca;
  if (!reference || !pca) return { reference: null, edges: [], referenceShares: [], snapshots: [] };
  const sample = referencePc1Sample(profile?.ksSample);
  const edges = snapshotEdges(sample);
  const lo = edges[0] as number;
  const hi = edges.at(-1) as number;
  const bins = edges.length - 1;

  const runs = await queryRows<{
    id: string;
    window_start: string;
    window_end: string;
    finished_at: string | null;
    drift: boolean | null;
    severity: string | null;
    psi: number | null;
    from_seq: string;
    to_seq: string;
  }>(
    db,
    sql`SELECT id::text AS id,
          to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS window_start,
          to_char(window_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS window_end,
          to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS finished_at, drift, severity,
          (results->'psi'->'values'->>0)::float8 AS psi, from_seq::text, to_seq::text
        FROM drift_runs
        WHERE stream_id = ${query.streamId} AND reference_set_id = ${Number(reference.id)}
          AND status = 'succeeded' AND window_start IS NOT NULL AND window_end IS NOT NULL
          AND from_seq IS NOT NULL AND to_seq IS NOT NULL
        ORDER BY window_end DESC, id DESC LIMIT ${query.runs}`,
  );

  const pc1 = pca.components.slice(0, pca.dim);
  let offset = 0;
  for (let t = 0; t < pca.dim; t++) offset += (pca.mean[t] as number) * (pc1[t] as number);
  const dim = sql.raw(String(pca.dim));
  // As pc1-series.ts: the cached score first, the projection only where the worker has not passed.
  const projection = sql`coalesce(s.scores[1], (-(e.embedding::vector(${dim}) <#> ${`[${pc1.join(",")}]`}::vector(${dim})) - ${offset})::float8)`;
  const snapshots: Pc1Snapshot[] = [];
  for (const run of runs.reverse()) {
    const counts = await queryRows<{ bin: number; n: number }>(
      db,
      sql`SELECT greatest(1, least(${bins}, width_bucket(pc1, ${lo}::float8, ${hi}::float8, ${bins})))::int AS bin,
            count(*)::int AS n
          FROM (SELECT ${projection} AS pc1 FROM embeddings e LEFT JOIN embedding_scores s
                  ON s.reference_set_id = ${Number(reference.id)} AND s.seq = e.seq
                WHERE e.stream_id = ${query.streamId} AND e.seq BETWEEN ${Number(run.from_seq)} AND ${Number(run.to_seq)}
                  AND e.received_at >= ${run.window_start}::timestamptz
                  AND e.received_at <= ${run.window_end}::timestamptz) x
          WHERE pc1 IS NOT NULL
          GROUP BY 1`,
    );
    const perBin = new Array<number>(bins).fill(0);
    let n = 0;
    for (const row of counts) {
      perBin[row.bin - 1] = row.n;
      n += row.n;
    }
    snapshots.push({
      runId: Number(run.id),
      windowStart: new Date(run.window_start).toISOString(),
      windowEnd: new Date(run.window_end).toISOString(),
      finishedAt: run.finished_at ? new Date(run.finished_at).toISOString() : null,
      drift: run.drift,
      severity: run.severity,
      psiPc1: run.psi === null ? null : Number(run.psi),
      n,
      shares: perBin.map((c) => (n === 0 ? 0 : c / n)),
    });
  }
  return {
    reference: { id: Number(reference.id), version: reference.version, sampleSize: sample.length },
    edges,
    referenceShares: binShares(sample, edges),
    snapshots,
  };
}
