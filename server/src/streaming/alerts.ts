/**
 * @module
 * The `stream` alerts of the streaming detector: one `alerts` row per drift event, recorded in the
 * batch's transaction with the cooldown decision (`alerts/record.ts`); dispatching happens after
 * the commit (`worker.ts`), fire-and-forget.
 */
import { type AlertDraft, recordAlerts } from "../alerts/record.ts";
import type { AlertEvent } from "../alerts/types.ts";
import type { Tx } from "../db/database.ts";

export interface StreamAlertInput {
  stream: { id: number; tenantId: number; name: string };
  reference: { id: number; version: number };
  detections: {
    driftEventId: number;
    seq: number;
    score: number;
    meanBefore: number;
    meanAfter: number;
    widthBefore: number;
    widthAfter: number;
    /** Event times (ISO) of the window the alert is about. */
    window: { from: string; to: string };
  }[];
  cooldownMs: number;
  dashboardBaseUrl: string;
}

/** Inserts one alert row per detection, applies the cooldown, and returns the alerts to send. */
export async function writeStreamAlerts(tx: Tx, input: StreamAlertInput): Promise<AlertEvent[]> {
  const { stream } = input;
  const drafts: AlertDraft[] = input.detections.map((d) => ({
    severity: "warning",
    title: `PC1 of ${stream.name} shifted from ${d.meanBefore.toFixed(3)} to ${d.meanAfter.toFixed(3)} (ADWIN)`,
    numbers: {
      pc1MeanBefore: d.meanBefore,
      pc1MeanAfter: d.meanAfter,
      extra: { "PC1 score": d.score, "window before": d.widthBefore, "window after": d.widthAfter },
    },
    window: { from: new Date(d.window.from), to: new Date(d.window.to) },
    details: {
      seq: d.seq,
      driftEventId: d.driftEventId,
      referenceSetId: input.reference.id,
      referenceVersion: input.reference.version,
    },
  }));
  return (await recordAlerts(tx, { ...input, detector: "stream" }, drafts)).toSend;
}
