import type { AlertDetector, AlertSeverity } from "../../db/schema/alert.ts";
import { alerts } from "../../db/schema/alert.ts";
import type { FindingCategory } from "../../db/schema/incident.ts";
import { streams } from "../../db/schema/stream.ts";

export interface AlertView {
  id: number;
  stream: string;
  detector: AlertDetector;
  severity: AlertSeverity;
  payload: Record<string, unknown>;
  createdAt: string;
  acknowledgedAt: string | null;
  /** The incident it attached to; null for findings from before incidents. */
  incidentId: number | null;
  category: FindingCategory | null;
}

/** Select these (alerts joined to streams) and map with `toAlertView`. */
export const alertViewColumns = {
  id: alerts.id,
  stream: streams.name,
  detector: alerts.detector,
  severity: alerts.severity,
  payload: alerts.payload,
  createdAt: alerts.createdAt,
  acknowledgedAt: alerts.acknowledgedAt,
  incidentId: alerts.incidentId,
  category: alerts.category,
};

export function toAlertView(row: {
  id: number;
  stream: string;
  detector: AlertDetector;
  severity: AlertSeverity;
  payload: Record<string, unknown>;
  createdAt: Date;
  acknowledgedAt: Date | null;
  incidentId: number | null;
  category: FindingCategory | null;
}): AlertView {
  return {
    ...row,
    id: Number(row.id),
    incidentId: row.incidentId === null ? null : Number(row.incidentId),
    createdAt: row.createdAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
  };
}
