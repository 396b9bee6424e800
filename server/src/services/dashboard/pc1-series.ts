/**
 * @module
 * The stream page's main series: each stored embedding's score on the active reference's first
 * principal component, with the quality signals the capture station records (`metadata.quality`),
 * over a time range on **event time** (the embeddings' own `ts`, what a person asks "since when"
 * about; an outbox that posts six hours of faces in seconds spreads them over the six hours) or,
 * as an option, receive time (when the server got them, which prunes the day partitions and is
 * what the batch windows use). On event time the day partitions are still pruned from below: an
 * embedding is received no earlier than its `ts` minus the future skew ingestion allows.
 *
 * The scores are the streaming worker's cached ones where it has passed, else projected in the
 * database (pgvector's inner product), so only a handful of numbers per row leave it, never the
 * vectors. Past `points` rows the series is downsampled there too,
 * into `points` equal-count buckets (mean, min and max of PC1 per bucket), so a month of a busy
 * stream costs the browser no more than a few thousand points.
 */
import { hasDetailFields, type ResidualLevel } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { getActiveReferenceSet } from "../reference-sets/get-active.ts";
import { detectorWarnings } from "./detector-warnings.ts";

export const MAX_SERIES_POINTS = 100_000;

export const SERIES_TIMES = ["event", "arrival"] as const;
export type SeriesTime = (typeof SERIES_TIMES)[number];

export interface Pc1SeriesQuery {
  /** Already tenant-checked (`getStream`). */
  streamId: number;
  from: Date;
  to: Date;
  /** Which clock `from`/`to` and `t` are on (default event). */
  time?: SeriesTime;
  /** Ingestion's largest accepted future skew (`maxFutureSkewMs`): bounds receive time on event time. */
  maxFutureSkewMs?: number;
  /** Most points returned; more rows than this are bucketed. */
  points: number;
}

export interface Pc1Series {
  reference: {
    id: number;
    version: number;
    pc1VarianceRatio: number | null;
    /** The reference's own PC1 scores (its frozen KS sample), for "reference vs now" histograms. */
    pc1Sample: number[];
    /** Recommended detectors it cannot run, and why (`detector-warnings.ts`). */
    warnings: string[];
  } | null;
  from: string;
  to: string;
  time: SeriesTime;
  /** Embeddings in the range. */
  total: number;
  /** 1 when every embedding is a point; otherwise about this many embeddings per point. */
  perPoint: number;
  /**
   * Event or receive time, as `time` says (epoch ms; a bucket's first), seq (a bucket's first),
   * PC1 score (a bucket's mean); in time order.
   */
  t: number[];
  seq: number[];
  pc1: (number | null)[];
  /** Per-bucket extremes of PC1; null when not bucketed. */
  pc1Min: (number | null)[] | null;
  pc1Max: (number | null)[] | null;
  faceSize: (number | null)[];
  brightness: (number | null)[];
  blur: (number | null)[];
}

/** The columns the query aggregates. */
type Row = Record<"seq" | "t" | "pc1" | "lo" | "hi" | "face_size" | "brightness" | "blur", unknown>;

/** A numeric quality signal, or NULL when absent or not a number (metadata is free-form JSON). */
const signal = (name: string) =>
  sql.raw(
    `CASE WHEN jsonb_typeof(e.metadata->'quality'->'${name}') = 'number' THEN (e.metadata->'quality'->>'${name}')::float8 END`,
  );

export async function pc1Series(db: Executor, query: Pc1SeriesQuery): Promise<Pc1Series> {
  const reference = await getActiveReferenceSet(db, query.streamId);
  const profile = reference?.profile as
    | {
        pca?: { mean: number[]; components: number[]; dim: number; explainedVarianceRatio?: number[] };
        ksSample?: { rows: number; scores: number[] };
      }
    | null
    | undefined;
  const pca = profile?.pca;
  let projection = sql`NULL::float8`;
  let source = sql`embeddings e`;
  if (pca && reference) {
    const pc1 = pca.components.slice(0, pca.dim);
    let offset = 0;
    for (let t = 0; t < pca.dim; t++) offset += (pca.mean[t] as number) * (pc1[t] as number);
    // `<#>` is pgvector's negative inner product.
    // The streaming worker's cached scores (`embedding_scores`) come first: a cached row costs
    // one double, not its 2 kB vector (COALESCE does not evaluate the projection then).
    const dim = sql.raw(String(pca.dim));
    projection = sql`coalesce(s.scores[1], (-(e.embedding::vector(${dim}) <#> ${`[${pc1.join(",")}]`}::vector(${dim})) - ${offset})::float8)`;
    source = sql`embeddings e LEFT JOIN embedding_scores s
      ON s.reference_set_id = ${Number(reference.id)} AND s.seq = e.seq`;
  }
  const time = query.time ?? "event";
  const from = query.from.toISOString();
  const to = query.to.toISOString();
  const earliestReceipt = new Date(
    query.from.getTime() - (query.maxFutureSkewMs ?? 86_400_000),
  ).toISOString();
  const inRange =
    time === "arrival"
      ? sql`e.stream_id = ${query.streamId} AND e.received_at >= ${from} AND e.received_at <= ${to}`
      : sql`e.stream_id = ${query.streamId} AND e.event_time >= ${from} AND e.event_time <= ${to}
          AND e.received_at >= ${earliestReceipt}`;
  const clock = sql.raw(time === "arrival" ? "e.received_at" : "e.event_time");
  const order = time === "arrival" ? "seq" : "t, seq";
  const [count] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM embeddings e WHERE ${inRange}`,
  );
  const total = Number(count?.n ?? 0);
  const rows = sql`SELECT e.seq, (extract(epoch FROM ${clock}) * 1000)::float8 AS t, ${projection} AS pc1,
      ${signal("faceSize")} AS face_size, ${signal("brightness")} AS brightness, ${signal("blur")} AS blur`;
  const bucketed = total > query.points;
  // One row holding every column as a JSON array: returned row by row, the driver's per-row cost
  // was half the time (30,000 rows: 1.5 s → 0.75 s on a loaded PGlite).
  const columns = (order: string) => {
    const column = (name: string) => `'${name}', array_agg(${name} ORDER BY ${order})`;
    return sql.raw(
      `json_build_object(${["seq", "t", "pc1", "lo", "hi", "face_size", "brightness", "blur"].map(column).join(", ")})::text AS json`,
    );
  };
  const [answer] = await queryRows<{ json: string }>(
    db,
    bucketed
      ? sql`SELECT ${columns("bucket")} FROM (
              SELECT bucket, min(seq) AS seq, min(t) AS t, avg(pc1) AS pc1, min(pc1) AS lo, max(pc1) AS hi,
                avg(face_size) AS face_size, avg(brightness) AS brightness, avg(blur) AS blur
              FROM (${rows}, ntile(${query.points}) OVER (ORDER BY ${sql.raw(time === "arrival" ? "e.seq" : "e.event_time, e.seq")}) AS bucket
                    FROM ${source} WHERE ${inRange}) x
              GROUP BY bucket) b`
      : sql`SELECT ${columns(order)} FROM (${rows}, NULL::float8 AS lo, NULL::float8 AS hi
              FROM ${source} WHERE ${inRange}) x`,
  );
  // array_agg over no rows is NULL.
  const result = JSON.parse(answer?.json ?? "{}") as Partial<Record<keyof Row, (number | null)[] | null>>;
  const column = (name: keyof Row) => result[name] ?? [];
  return {
    reference: reference
      ? {
          id: Number(reference.id),
          version: reference.version,
          pc1VarianceRatio: pca?.explainedVarianceRatio?.[0] ?? null,
          pc1Sample: referencePc1Sample(profile?.ksSample),
          warnings: warningsOf(reference.profile as Record<string, unknown> | null),
        }
      : null,
    from,
    to,
    time,
    total,
    perPoint: bucketed ? Math.ceil(total / query.points) : 1,
    t: column("t") as number[],
    seq: column("seq") as number[],
    pc1: column("pc1"),
    pc1Min: bucketed ? column("lo") : null,
    pc1Max: bucketed ? column("hi") : null,
    faceSize: column("face_size"),
    brightness: column("brightness"),
    blur: column("blur"),
  };
}

/** Column 0 of the profile's KS sample (rows × components, row-major). */
export function referencePc1Sample(sample: { rows: number; scores: number[] } | undefined): number[] {
  if (!sample || sample.rows === 0) return [];
  const components = sample.scores.length / sample.rows;
  return Array.from({ length: sample.rows }, (_, i) => sample.scores[i * components] as number);
}

function warningsOf(profile: Record<string, unknown> | null): string[] {
  if (!profile) return [];
  const calibration = (profile.calibration ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return detectorWarnings({
    hasResidual: profile.residual !== undefined,
    hasMmdWindow: profile.mmdWindow !== undefined,
    hasQuality: profile.quality !== undefined,
    hasDetailTest: hasDetailFields(profile.residualLevel as ResidualLevel | undefined),
    mmdWindowSkipped: text(calibration.mmdWindowSkipped),
    qualitySkipped: text(calibration.qualitySkipped),
  });
}
