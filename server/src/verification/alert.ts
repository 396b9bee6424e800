/**
 * @module
 * The `verification` alert of a run whose AUC fell below the configured minimum: one `alerts` row
 * (severity critical: the model no longer separates the labelled pairs as validated), written in
 * the run's transaction through `alerts/record.ts`, attached to the stream's incident.
 * Alerts belong to a stream (`alerts.stream_id` is required), so only runs tied to one raise them.
 */
import type { VerificationMetrics } from "@facedrift/stats";
import { recordAlerts } from "../alerts/record.ts";
import type { AlertNumbers, IncidentNotification } from "../alerts/types.ts";
import type { Tx } from "../db/database.ts";
import { FINDING_SEVERITY } from "../incidents/severity.ts";

/** How soon after a verification job another may be queued on drift (`queue.ts`). */
export const DEFAULT_VERIFICATION_COOLDOWN_MS = 6 * 3_600_000;

export interface VerificationAlertInput {
  stream: { id: number; tenantId: number; name: string };
  runId: number;
  model: { id: string; version: string };
  auc: number;
  minAuc: number;
  eer: number;
  tarAtFar: VerificationMetrics["tarAtFar"];
  pairs: number;
  skipped: number;
  /** When the run embedded its images: the alert's time range. */
  window: { from: Date; to: Date };
  dashboardBaseUrl: string;
}

/** Writes the finding; returns its id and the incident notifications to dispatch. */
export async function writeVerificationAlert(
  tx: Tx,
  input: VerificationAlertInput,
): Promise<{ id: number; notifications: IncidentNotification[] }> {
  const { stream } = input;
  const numbers: AlertNumbers = {
    auc: input.auc,
    extra: {
      "minimum AUC": input.minAuc,
      EER: input.eer,
      "TAR at FAR 0.1 %": input.tarAtFar["0.001"],
      "TAR at FAR 1 %": input.tarAtFar["0.01"],
      "pairs scored": input.pairs,
      "pairs skipped": input.skipped,
    },
  };
  const title =
    `Verification on ${stream.name}: AUC ${input.auc.toFixed(4)} < ${input.minAuc} ` +
    `(${input.model.id} ${input.model.version}, ${input.pairs} pairs)`;
  const { ids, notifications } = await recordAlerts(tx, { ...input, detector: "verification" }, [
    {
      severity: FINDING_SEVERITY.verification!.severity,
      title,
      numbers,
      window: input.window,
      details: {
        verificationRunId: input.runId,
        model: input.model,
        auc: input.auc,
        minAuc: input.minAuc,
        eer: input.eer,
        tarAtFar: input.tarAtFar,
      },
    },
  ]);
  return { id: ids[0] as number, notifications };
}
