/**
 * @module
 * The stream page's model comparison: each track of a stream side by side — its drift state
 * (the overview's row: reference, state, last batch run, active incident), its latest verification
 * run on the labelled set (AUC, EER) and the median quality signals of its latest embeddings.
 */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../db/database.ts";
import { type StreamSummary, streamSummaries } from "../dashboard/stream-summaries.ts";
import { listTracks, publicTrack, type TrackView } from "./tracks.ts";

/** Latest embeddings whose quality is summarised per track. */
export const QUALITY_WINDOW = 500;
/** The quality signals compared (`FaceQuality` in `@facedrift/models`); medians over the window. */
const QUALITY_KEYS = ["faceSize", "detectorScore", "blur", "brightness", "embeddingNorm"] as const;

export interface TrackComparison extends TrackView {
  summary: Pick<StreamSummary, "reference" | "state" | "lag" | "lastRun" | "incident"> | null;
  verification: { runId: number; auc: number; eer: number; pairs: number; createdAt: string } | null;
  quality: { embeddings: number; medians: Partial<Record<(typeof QUALITY_KEYS)[number], number>> };
}

export async function compareTracks(
  db: Executor,
  tenantId: number,
  stream: string,
  now = new Date(),
): Promise<TrackComparison[]> {
  const tracks = await listTracks(db, tenantId, stream);
  const summaries = new Map(
    (
      await streamSummaries(
        db,
        tenantId,
        now,
        tracks.map((t) => t.name),
      )
    ).map((s) => [s.name, s]),
  );
  return Promise.all(
    tracks.map(async (track) => {
      const summary = summaries.get(track.name);
      return {
        ...publicTrack(track),
        summary: summary
          ? {
              reference: summary.reference,
              state: summary.state,
              lag: summary.lag,
              lastRun: summary.lastRun,
              incident: summary.incident,
            }
          : null,
        verification: await latestVerification(db, tenantId, track.streamId),
        quality: await qualityMedians(db, track.streamId),
      };
    }),
  );
}

async function latestVerification(db: Executor, tenantId: number, streamId: number) {
  const [row] = await queryRows<{ id: number; auc: number; eer: number; pairs: number; created_at: string }>(
    db,
    sql`SELECT id::int AS id, auc::float8 AS auc, eer::float8 AS eer, pairs::int AS pairs, created_at::text AS created_at
        FROM verification_runs WHERE tenant_id = ${tenantId} AND stream_id = ${streamId}
        ORDER BY id DESC LIMIT 1`,
  );
  return row
    ? {
        runId: Number(row.id),
        auc: Number(row.auc),
        eer: Number(row.eer),
        pairs: Number(row.pairs),
        createdAt: new Date(row.created_at).toISOString(),
      }
    : null;
}

async function qualityMedians(db: Executor, streamId: number): Promise<TrackComparison["quality"]> {
  const medians = QUALITY_KEYS.map(
    (key) =>
      sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY (quality->>${key})::float8)
            FILTER (WHERE jsonb_typeof(quality->${key}) = 'number')`,
  );
  const [row] = await queryRows<Record<string, number | null>>(
    db,
    sql`SELECT count(*)::int AS n, ${sql.join(
      medians.map((median, i) => sql`${median} AS ${sql.identifier(`m${i}`)}`),
      sql`, `,
    )}
        FROM (SELECT metadata->'quality' AS quality FROM embeddings
              WHERE stream_id = ${streamId} AND jsonb_typeof(metadata->'quality') = 'object'
              ORDER BY seq DESC LIMIT ${QUALITY_WINDOW}) latest`,
  );
  const out: TrackComparison["quality"]["medians"] = {};
  QUALITY_KEYS.forEach((key, i) => {
    const value = row?.[`m${i}`];
    if (value !== null && value !== undefined) out[key] = Number(value);
  });
  return { embeddings: Number(row?.n ?? 0), medians: out };
}
