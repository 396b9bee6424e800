/**
 * @module
 * The overview's rows: every stream of a tenant with its model, active reference, state, last
 * batch run, active incident and embeddings per hour over the last day, in two queries whatever the
 * number of streams.
 */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { pgArrayLiteral } from "../../db/pg-array.ts";
import { detectorWarnings } from "./detector-warnings.ts";
import { LAGGING_EMBEDDINGS, type StreamState, streamState } from "./stream-state.ts";

/** Lag is counted up to here: the overview needs "far behind", not the exact backlog. */
const LAG_CAP = 100 * LAGGING_EMBEDDINGS;
const HOURS = 24;

export interface StreamSummary {
  name: string;
  model: { id: string; version: string };
  dimension: number;
  embeddingCount: number;
  lastReceivedAt: string | null;
  /** `warnings`: the recommended detectors it cannot run, and why (`detector-warnings.ts`). */
  reference: { id: number; version: number; createdAt: string; warnings: string[] } | null;
  state: StreamState;
  /** Embeddings past the streaming detector's cursor (capped); null without a reference. */
  lag: number | null;
  lastRun: {
    id: number;
    status: string;
    severity: string | null;
    drift: boolean | null;
    startedAt: string;
    finishedAt: string | null;
  } | null;
  /** The stream's open or acknowledged incident, if any. */
  incident: { id: number; status: string; severity: string; findingCount: number } | null;
  /** Embeddings received in each of the last 24 whole hours, oldest first (the last is the current hour). */
  perHour: number[];
  /** Start of `perHour[0]`. */
  perHourFrom: string;
}

interface Row {
  id: number;
  name: string;
  model_id: string;
  model_version: string;
  dimension: number;
  embedding_count: number;
  last_received_at: string | null;
  ref_id: number | null;
  ref_version: number | null;
  ref_created_at: string | null;
  lag: number | null;
  run_id: number | null;
  run_status: string | null;
  run_severity: string | null;
  run_drift: boolean | null;
  run_started_at: string | null;
  run_finished_at: string | null;
  last_finished_drift: boolean | null;
  incident_id: number | null;
  incident_status: string | null;
  incident_severity: string | null;
  incident_findings: number | null;
  drift_incident: boolean | null;
  has_residual: boolean;
  has_mmd: boolean;
  has_quality: boolean;
  has_detail_test: boolean;
  mmd_skipped: string | null;
  quality_skipped: string | null;
}

const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * `names`: only these streams or model tracks (the stream page's model comparison). Without it,
 * every stream but the model tracks of a transition (`stream~model@version`), which the stream's
 * own page shows.
 */
export async function streamSummaries(
  db: Executor,
  tenantId: number,
  now = new Date(),
  names?: readonly string[],
): Promise<StreamSummary[]> {
  const which =
    names === undefined
      ? sql`position('~' in s.name) = 0`
      : sql`s.name = ANY(${pgArrayLiteral(names)}::text[])`;
  // Lag as `collect-db.ts` counts it: rows past the cursor on the (stream_id, seq) key (an erasure
  // may have left holes in the stream's seqs, so last_seq − cursor could overcount).
  const rows = await queryRows<Row>(
    db,
    sql`SELECT s.id::int AS id, s.name, s.model_id, s.model_version, s.dimension::int AS dimension,
          s.embedding_count::float8 AS embedding_count, s.last_received_at::text AS last_received_at,
          r.id::int AS ref_id, r.version::int AS ref_version, r.created_at::text AS ref_created_at,
          coalesce(r.profile ? 'residual', false) AS has_residual, coalesce(r.profile ? 'mmdWindow', false) AS has_mmd,
          coalesce(r.profile ? 'quality', false) AS has_quality,
          coalesce(r.profile->'residualLevel' ? 'slope', false) AS has_detail_test,
          r.profile->'calibration'->>'mmdWindowSkipped' AS mmd_skipped,
          r.profile->'calibration'->>'qualitySkipped' AS quality_skipped,
          CASE WHEN r.id IS NULL THEN NULL
               WHEN coalesce(c.last_seq, 0) >= s.last_seq THEN 0
               ELSE (SELECT count(*)::int FROM (SELECT 1 FROM embeddings e
                       WHERE e.stream_id = s.id AND e.seq > coalesce(c.last_seq, 0) LIMIT ${LAG_CAP}) x)
          END AS lag,
          run.id::int AS run_id, run.status AS run_status, run.severity AS run_severity,
          run.drift AS run_drift, run.started_at::text AS run_started_at,
          run.finished_at::text AS run_finished_at,
          (SELECT d.drift FROM drift_runs d WHERE d.stream_id = s.id AND d.status = 'succeeded'
            ORDER BY d.id DESC LIMIT 1) AS last_finished_drift,
          i.id::int AS incident_id, i.status AS incident_status, i.severity AS incident_severity,
          i.finding_count::int AS incident_findings,
          coalesce(i.severity <> 'info' AND (i.detectors - 'verification') <> '[]'::jsonb, false)
            AS drift_incident
        FROM streams s
        LEFT JOIN incidents i ON i.stream_id = s.id AND i.status <> 'resolved'
        LEFT JOIN reference_sets r ON r.stream_id = s.id AND r.active
        LEFT JOIN stream_cursors c ON c.stream_id = s.id
        LEFT JOIN LATERAL (SELECT * FROM drift_runs d WHERE d.stream_id = s.id
                           ORDER BY d.id DESC LIMIT 1) run ON true
        WHERE s.tenant_id = ${tenantId} AND ${which}
        ORDER BY s.name`,
  );
  const currentHour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  const since = new Date(currentHour - (HOURS - 1) * 3_600_000);
  const hourly = await queryRows<{ stream_id: number; hour: number; n: number }>(
    db,
    sql`SELECT e.stream_id::int AS stream_id,
          floor(extract(epoch FROM e.received_at) / 3600)::float8 AS hour, count(*)::int AS n
        FROM embeddings e JOIN streams s ON s.id = e.stream_id
        WHERE s.tenant_id = ${tenantId} AND e.received_at >= ${since.toISOString()}
        GROUP BY 1, 2`,
  );
  const perHour = new Map<number, number[]>();
  for (const row of hourly) {
    const slot = Number(row.hour) - since.getTime() / 3_600_000;
    if (slot < 0 || slot >= HOURS) continue; // a clock ahead of ours
    const counts = perHour.get(Number(row.stream_id)) ?? new Array<number>(HOURS).fill(0);
    counts[slot] = Number(row.n);
    perHour.set(Number(row.stream_id), counts);
  }
  return rows.map((row) => {
    const lag = row.lag === null ? null : Number(row.lag);
    return {
      name: row.name,
      model: { id: row.model_id, version: row.model_version },
      dimension: Number(row.dimension),
      embeddingCount: Number(row.embedding_count),
      lastReceivedAt: iso(row.last_received_at),
      reference:
        row.ref_id === null
          ? null
          : {
              id: Number(row.ref_id),
              version: Number(row.ref_version),
              createdAt: iso(row.ref_created_at) as string,
              warnings: detectorWarnings({
                hasResidual: row.has_residual === true,
                hasMmdWindow: row.has_mmd === true,
                hasQuality: row.has_quality === true,
                hasDetailTest: row.has_detail_test === true,
                mmdWindowSkipped: row.mmd_skipped,
                qualitySkipped: row.quality_skipped,
              }),
            },
      state: streamState({
        hasReference: row.ref_id !== null,
        lag,
        lastRunDrift: row.last_finished_drift,
        driftIncident: row.drift_incident === true,
      }),
      lag,
      lastRun:
        row.run_id === null
          ? null
          : {
              id: Number(row.run_id),
              status: String(row.run_status),
              severity: row.run_severity,
              drift: row.run_drift,
              startedAt: iso(row.run_started_at) as string,
              finishedAt: iso(row.run_finished_at),
            },
      incident:
        row.incident_id === null
          ? null
          : {
              id: Number(row.incident_id),
              status: String(row.incident_status),
              severity: String(row.incident_severity),
              findingCount: Number(row.incident_findings),
            },
      perHour: perHour.get(Number(row.id)) ?? new Array<number>(HOURS).fill(0),
      perHourFrom: since.toISOString(),
    };
  });
}
