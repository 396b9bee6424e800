/**
 * @module
 * Reading a stream's model tracks (see `db/schema/stream-model.ts`).
 */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import type { ModelRole } from "../../db/schema/stream-model.ts";
import { FacedriftError } from "../../errors.ts";
import { type ModelRef, streamOf } from "./names.ts";

export interface TrackView {
  /** The track's own stream name: the stream's for `current`, `stream~model@version` otherwise. */
  name: string;
  role: ModelRole;
  model: ModelRef;
  dimension: number;
  samplingShare: number;
  embeddingCount: number;
  lastReceivedAt: string | null;
  createdAt: string;
  promotedAt: string | null;
  retiredAt: string | null;
  /** The track's active reference version, or null while it has none. */
  activeReference: number | null;
}

interface TrackRow {
  id: number;
  name: string;
  role: ModelRole | null;
  model_id: string;
  model_version: string;
  dimension: number;
  sampling_share: number | null;
  embedding_count: string;
  last_received_at: string | Date | null;
  created_at: string | Date;
  promoted_at: string | Date | null;
  retired_at: string | Date | null;
  active_reference: number | null;
}

export interface Track extends TrackView {
  streamId: number;
}

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

/**
 * The tracks of `stream` (a stream name or one of its track names): current first, then the
 * candidate, then retired ones newest first. A stream without a transition has one, current.
 * 404 naming `stream` when there is no such stream.
 */
export async function listTracks(db: Executor, tenantId: number, name: string): Promise<Track[]> {
  const stream = streamOf(name);
  const rows = await queryRows<TrackRow>(
    db,
    sql`SELECT s.id::int AS id, s.name, m.role, s.model_id, s.model_version, s.dimension::int AS dimension,
          m.sampling_share::float8 AS sampling_share, s.embedding_count::text AS embedding_count,
          s.last_received_at, coalesce(m.created_at, s.created_at) AS created_at, m.promoted_at, m.retired_at,
          (SELECT r.version::int FROM reference_sets r WHERE r.stream_id = s.id AND r.active) AS active_reference
        FROM streams s LEFT JOIN stream_models m ON m.stream_id = s.id
        WHERE s.tenant_id = ${tenantId}
          AND (s.name = ${stream} OR (m.tenant_id = ${tenantId} AND m.stream_name = ${stream}))
        ORDER BY CASE coalesce(m.role, 'current') WHEN 'current' THEN 0 WHEN 'candidate' THEN 1 ELSE 2 END,
          m.retired_at DESC NULLS LAST, s.id`,
  );
  if (rows.length === 0) {
    throw new FacedriftError("not_found", `stream "${stream}" does not exist`, { field: "stream" });
  }
  return rows.map((row) => ({
    streamId: Number(row.id),
    name: row.name,
    role: row.role ?? "current",
    model: { id: row.model_id, version: row.model_version },
    dimension: Number(row.dimension),
    samplingShare: row.role === "current" || row.role === null ? 1 : Number(row.sampling_share ?? 1),
    embeddingCount: Number(row.embedding_count),
    lastReceivedAt: iso(row.last_received_at),
    createdAt: iso(row.created_at) as string,
    promotedAt: iso(row.promoted_at),
    retiredAt: iso(row.retired_at),
    activeReference: row.active_reference === null ? null : Number(row.active_reference),
  }));
}

export const publicTrack = ({ streamId: _id, ...view }: Track): TrackView => view;

/**
 * The track of `stream` that holds `model`, if the stream has one besides its own row (a candidate
 * or a retired model). Ingestion routes a batch of another model than the current one here.
 */
export async function findTrackForModel(
  db: Executor,
  tenantId: number,
  stream: string,
  model: ModelRef,
): Promise<{ name: string; role: ModelRole } | null> {
  const [row] = await queryRows<{ name: string; role: ModelRole }>(
    db,
    sql`SELECT s.name, m.role FROM stream_models m JOIN streams s ON s.id = m.stream_id
        WHERE m.tenant_id = ${tenantId} AND m.stream_name = ${stream} AND m.role <> 'current'
          AND s.model_id = ${model.id} AND s.model_version = ${model.version}`,
  );
  return row ?? null;
}

/** What an ingest answer tells a capture device about a transition (null: none under way). */
export interface TransitionHint {
  current: { model: ModelRef; dimension: number };
  candidate: { model: ModelRef; dimension: number; samplingShare: number } | null;
}

export async function transitionHint(
  db: Executor,
  tenantId: number,
  stream: string,
): Promise<TransitionHint | null> {
  const rows = await queryRows<{
    role: ModelRole;
    model_id: string;
    model_version: string;
    dimension: number;
    sampling_share: number;
  }>(
    db,
    sql`SELECT m.role, s.model_id, s.model_version, s.dimension::int AS dimension,
          m.sampling_share::float8 AS sampling_share
        FROM stream_models m JOIN streams s ON s.id = m.stream_id
        WHERE m.tenant_id = ${tenantId} AND m.stream_name = ${stream} AND m.role IN ('current', 'candidate')`,
  );
  const current = rows.find((r) => r.role === "current");
  if (!current) return null;
  const candidate = rows.find((r) => r.role === "candidate");
  return {
    current: {
      model: { id: current.model_id, version: current.model_version },
      dimension: Number(current.dimension),
    },
    candidate: candidate
      ? {
          model: { id: candidate.model_id, version: candidate.model_version },
          dimension: Number(candidate.dimension),
          samplingShare: Number(candidate.sampling_share),
        }
      : null,
  };
}
