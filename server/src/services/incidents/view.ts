/**
 * @module
 * An incident as the API shows it: its state, severity on the one scale, what fired, the
 * event-time window of its evidence and the range a link to it opens (`incidentRange`: the window
 * with context around it).
 */
import { incidentRange } from "../../alerts/types.ts";
import type { AlertSeverity } from "../../db/schema/alert.ts";
import { type FindingCategory, type IncidentStatus, incidents } from "../../db/schema/incident.ts";
import { streams } from "../../db/schema/stream.ts";
import { type IncidentRow, incidentTitle, kindLabel } from "../../incidents/snapshot.ts";

export interface IncidentView {
  id: number;
  stream: string;
  status: IncidentStatus;
  severity: AlertSeverity;
  /** The highest severity channels were told about; null: below the stream's notify threshold. */
  notifiedSeverity: AlertSeverity | null;
  category: FindingCategory | null;
  title: string;
  detectors: { kind: string; label: string }[];
  findingCount: number;
  openedAt: string;
  lastFindingAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** Event-time span of the findings' windows. */
  window: { from: string; to: string };
  /** What the dashboard opens for it: the window with context on each side. */
  range: { from: string; to: string };
  impact: { deltaAuc: number; error: number } | null;
}

/** Select these (incidents joined to streams) and map with `toIncidentView`. */
export const incidentColumns = { incident: incidents, stream: streams.name };

export function toIncidentView({
  incident,
  stream,
}: {
  incident: IncidentRow;
  stream: string;
}): IncidentView {
  const range = incidentRange({ from: incident.windowFrom, to: incident.windowTo });
  return {
    id: Number(incident.id),
    stream,
    status: incident.status,
    severity: incident.severity,
    notifiedSeverity: incident.notifiedSeverity,
    category: incident.category,
    title: incidentTitle(incident, stream),
    detectors: incident.detectors.map((kind) => ({ kind, label: kindLabel(kind) })),
    findingCount: incident.findingCount,
    openedAt: incident.openedAt.toISOString(),
    lastFindingAt: incident.lastFindingAt.toISOString(),
    acknowledgedAt: incident.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: incident.acknowledgedBy,
    resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    resolvedBy: incident.resolvedBy,
    window: { from: incident.windowFrom.toISOString(), to: incident.windowTo.toISOString() },
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    impact: incident.impact ?? null,
  };
}
