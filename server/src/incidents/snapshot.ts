/**
 * @module
 * An `incidents` row as channels and the API describe it: the title in words, and the
 * notification of one transition.
 */

import {
  type AlertEvent,
  type IncidentNotification,
  type IncidentSnapshot,
  incidentDashboardUrl,
} from "../alerts/types.ts";
import type { AlertSeverity } from "../db/schema/alert.ts";
import type { IncidentTransition, incidents } from "../db/schema/incident.ts";

export type IncidentRow = typeof incidents.$inferSelect;

/** How each finding kind reads in a title or a list; an unknown (newer) kind reads as itself. */
export const FINDING_KIND_LABEL: Record<string, string> = {
  pc1: "PC1 shift (ADWIN)",
  residual: "PCA residual shift (ADWIN)",
  mmd: "MMD² window",
  batch: "batch check (PSI/KS/MMD)",
  verification: "verification AUC",
  quality: "face quality (size, brightness, sharpness, detector score)",
  "faces-lost": "faces lost (image uploads)",
  "faces-lost-stream": "faces lost (extraction reports)",
};

export function kindLabel(kind: string): string {
  return FINDING_KIND_LABEL[kind] ?? kind;
}

/** "Drift on lobby: PC1 shift (ADWIN), MMD² window" — population-only incidents say so. */
export function incidentTitle(row: Pick<IncidentRow, "category" | "detectors">, stream: string): string {
  const what = row.category === "population" ? "Population change" : "Drift";
  return `${what} on ${stream}: ${row.detectors.map(kindLabel).join(", ")}`;
}

export function toSnapshot(row: IncidentRow, stream: string): IncidentSnapshot {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenantId),
    stream,
    status: row.status,
    severity: row.severity,
    category: row.category,
    title: incidentTitle(row, stream),
    detectors: row.detectors,
    findingCount: row.findingCount,
    openedAt: row.openedAt,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    window: { from: row.windowFrom, to: row.windowTo },
    impact: row.impact ?? null,
  };
}

export function notificationOf(
  row: IncidentRow,
  stream: string,
  transition: IncidentTransition,
  options: { previousSeverity: AlertSeverity | null; finding: AlertEvent | null; at: Date; baseUrl: string },
): IncidentNotification {
  const incident = toSnapshot(row, stream);
  return {
    key: `incident-${incident.id}-${transition}-${incident.severity}`,
    transition,
    previousSeverity: options.previousSeverity,
    at: options.at,
    incident,
    finding: options.finding,
    dashboardUrl: incidentDashboardUrl(options.baseUrl, incident),
  };
}
