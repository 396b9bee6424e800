/**
 * @module
 * After an image batch is embedded: did it lose more faces than the stream's earlier photos?
 * A change that defeats the detector leaves no embeddings for the other detectors to see (on the
 * who-vs-how benchmark, pixelation in 8 px blocks lost every face and no embedding statistic could
 * fire), but the replica records every photo without a face. The test and its cost are in
 * `@facedrift/stats` (`detectors/face-loss.ts`); a finding is an *input* change on the stream's
 * incident, critical when the failure-to-extract rate rose by 0.01 or more (the AUC it costs
 * when failures count as failed comparisons).
 */
import { CRITICAL_DELTA_AUC, type FaceLossResult, faceLossTest } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { recordAlerts } from "../alerts/record.ts";
import type { IncidentNotification } from "../alerts/types.ts";
import { type Database, queryRows } from "../db/database.ts";
import { publicIdsOf } from "../ids/public-ids.ts";

/** The stream's earlier photos compared with a batch: the most recent ones, as a sliding baseline. */
export const FACE_LOSS_BASELINE_PHOTOS = 2_000;

/** Photos that reached the face detector: decoded, with or without a face (`failed` ones did not). */
const DETECTED = sql`('embedded', 'no_face', 'several_faces')`;

export interface FaceLossCheck {
  result: FaceLossResult | null;
  notifications: IncidentNotification[];
}

export async function checkFaceLoss(
  database: Database,
  batchId: number,
  dashboardBaseUrl = "http://localhost:8080",
): Promise<FaceLossCheck> {
  const { db } = database;
  const [batch] = await queryRows<{ tenant_id: number; stream: string; stream_id: number | null }>(
    db,
    sql`SELECT b.tenant_id, b.stream, s.id AS stream_id FROM image_batches b
        LEFT JOIN streams s ON s.tenant_id = b.tenant_id AND s.name = b.stream WHERE b.id = ${batchId}`,
  );
  if (!batch || batch.stream_id === null) return { result: null, notifications: [] };
  const counts = async (query: ReturnType<typeof sql>) => {
    const [row] = await queryRows<{ photos: number; lost: number }>(db, query);
    return { photos: Number(row?.photos ?? 0), lost: Number(row?.lost ?? 0) };
  };
  const now = await counts(
    sql`SELECT count(*)::int AS photos, count(*) FILTER (WHERE status = 'no_face')::int AS lost
        FROM image_files WHERE batch_id = ${batchId} AND status IN ${DETECTED}`,
  );
  const before = await counts(
    sql`SELECT count(*)::int AS photos, count(*) FILTER (WHERE status = 'no_face')::int AS lost FROM (
          SELECT f.status FROM image_files f JOIN image_batches b ON b.id = f.batch_id
          WHERE b.tenant_id = ${batch.tenant_id} AND b.stream = ${batch.stream} AND b.id < ${batchId}
            AND f.status IN ${DETECTED}
          ORDER BY f.processed_at DESC NULLS LAST LIMIT ${FACE_LOSS_BASELINE_PHOTOS}) earlier`,
  );
  const result = faceLossTest(before, now);
  if (!result.fired) return { result, notifications: [] };

  const error = Math.sqrt(
    (result.now.rate * (1 - result.now.rate)) / result.now.photos +
      (result.before.rate * (1 - result.before.rate)) / result.before.photos,
  );
  const costly = result.predictedDeltaAuc >= CRITICAL_DELTA_AUC;
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const stream = { id: Number(batch.stream_id), tenantId: Number(batch.tenant_id), name: batch.stream };
  // The title names the batch as the API names its job (the upload's `job.id`): a row id would
  // tell whoever reads the alert how many uploads the server has taken (SECURITY.md, issue 14).
  const job = (await publicIdsOf(db)).encode("image-job", batchId);
  const notifications = await db.transaction(async (tx) => {
    const [window] = await queryRows<{ from: string; to: string }>(
      tx,
      sql`SELECT to_char(min(b.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS from,
                 to_char(coalesce(max(f.processed_at), now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS to
          FROM image_batches b LEFT JOIN image_files f ON f.batch_id = b.id WHERE b.id = ${batchId}`,
    );
    const recorded = await recordAlerts(tx, { stream, detector: "batch", dashboardBaseUrl }, [
      {
        severity: costly ? "critical" : "warning",
        // One kind either way; docs/incidents.md lists the costly case as `faces-lost-costly`.
        kind: "faces-lost",
        category: "input",
        impact: { deltaAuc: result.predictedDeltaAuc, error },
        title:
          `Faces lost on ${stream.name}: image job ${job} found no face in ${result.now.lost} of ` +
          `${result.now.photos} photos (${pct(result.now.rate)}; before: ${pct(result.before.rate)} of ` +
          `${result.before.photos}); predicted ΔAUC ${result.predictedDeltaAuc.toFixed(3)} ± ${error.toFixed(3)}`,
        numbers: {
          pValue: result.pValue,
          extra: {
            "photos without a face (batch)": result.now.lost,
            "failure-to-extract rate (batch)": result.now.rate,
            "failure-to-extract rate (before)": result.before.rate,
          },
        },
        window: { from: new Date(window?.from ?? Date.now()), to: new Date(window?.to ?? Date.now()) },
        // A row id, encoded by the API like every `FREE_FORM_ID_KEYS` entry (`http/public-ids.ts`).
        details: { imageJobId: batchId, faceLoss: result },
      },
    ]);
    return recorded.notifications;
  });
  return { result, notifications };
}
