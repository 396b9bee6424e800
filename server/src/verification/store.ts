/**
 * @module
 * Where a verification run is stored and how: the tenant and optional stream are resolved before
 * the run embeds anything; the row and its alert are written in one transaction.
 */
import type { IncidentNotification } from "../alerts/types.ts";
import type { Database, Tx } from "../db/database.ts";
import { verificationRuns } from "../db/schema/verification-run.ts";
import { getStream } from "../services/streams/get.ts";
import { ensureTenant } from "../services/tenants/default.ts";
import { writeVerificationAlert } from "./alert.ts";
import type { VerificationSummary } from "./summary.ts";

export interface StoreTarget {
  tenantId: number;
  stream: { id: number; tenantId: number; name: string } | null;
}

/** The tenant (default: the default tenant) and the stream, which must exist. */
export async function storeTarget(
  database: Database,
  input: { tenantId?: number | undefined; stream?: string | undefined },
): Promise<StoreTarget> {
  const tenantId = input.tenantId ?? (await ensureTenant(database.db));
  if (input.stream === undefined) return { tenantId, stream: null };
  const stream = await getStream(database.db, tenantId, input.stream);
  return { tenantId, stream: { id: stream.id, tenantId, name: stream.name } };
}

export interface StoreExtra {
  pairsFile: string;
  imagesDir: string;
  window: { from: Date; to: Date };
  dashboardBaseUrl?: string | undefined;
  /** Runs in the storing transaction once the row has its id (see `VerificationInput`). */
  inTransaction?: ((tx: Tx, runId: number) => Promise<void>) | undefined;
}

export async function storeVerificationRun(
  database: Database,
  target: StoreTarget,
  summary: VerificationSummary,
  extra: StoreExtra,
): Promise<{ runId: number; alert: VerificationSummary["alert"]; notifications: IncidentNotification[] }> {
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(verificationRuns)
      .values({
        tenantId: target.tenantId,
        streamId: target.stream?.id ?? null,
        modelId: summary.model.id,
        modelVersion: summary.model.version,
        pairs: summary.pairs.scored,
        skipped: summary.skipped,
        auc: summary.auc,
        eer: summary.eer,
        tarAtFar: summary.tarAtFar,
        details: {
          pairsFile: extra.pairsFile,
          imagesDir: extra.imagesDir,
          pairsTotal: summary.pairs.total,
          genuine: summary.pairs.genuine,
          impostor: summary.pairs.impostor,
          dimension: summary.model.dimension,
          minAuc: summary.minAuc,
          facePolicy: summary.facePolicy,
          images: summary.images,
          runsOn: summary.runsOn,
          timingMs: summary.timingMs,
        },
      })
      .returning({ id: verificationRuns.id });
    const runId = Number(row?.id);
    await extra.inTransaction?.(tx, runId);
    if (!summary.belowMinAuc) return { runId, alert: null, notifications: [] };
    if (!target.stream) {
      // alerts.stream_id is required: a run not tied to a stream records its AUC but cannot alert.
      return {
        runId,
        alert: {
          id: null,
          sent: false,
          note: "no alert row: alerts belong to a stream and the run names none",
        },
        notifications: [],
      };
    }
    const { id, notifications } = await writeVerificationAlert(tx, {
      stream: target.stream,
      runId,
      model: { id: summary.model.id, version: summary.model.version },
      auc: summary.auc,
      minAuc: summary.minAuc,
      eer: summary.eer,
      tarAtFar: summary.tarAtFar,
      pairs: summary.pairs.scored,
      skipped: summary.pairs.skipped,
      window: extra.window,
      dashboardBaseUrl: extra.dashboardBaseUrl ?? "http://localhost:8080",
    });
    return { runId, alert: { id, sent: notifications.length > 0 }, notifications };
  });
}
