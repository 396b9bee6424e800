/** Test-only: one realistic finding (the kind the batch detector raises) and its incident notification. */

import type { AlertEvent, IncidentNotification, IncidentSnapshot } from "../types.ts";
import { dashboardUrl, incidentDashboardUrl } from "../types.ts";

export function sampleAlert(overrides: Partial<AlertEvent> = {}): AlertEvent {
  const base = {
    id: 42,
    tenantId: 7,
    stream: "lobby-cam <east>",
    detector: "batch" as const,
    severity: "critical" as const,
    createdAt: new Date("2026-11-26T12:00:00.000Z"),
    title: "PSI drift on 3 dimensions & MMD² above threshold",
    numbers: {
      pc1MeanBefore: 0.0125,
      pc1MeanAfter: 0.3311,
      psi: [0.02, 0.31, 0.05, 0.12, 0.27, 0.01],
      flaggedDimensions: [1, 3, 4],
      mmd2: 0.0184,
      pValue: 0.00012,
      auc: 0.962,
    },
    window: { from: new Date("2026-11-26T10:00:00.000Z"), to: new Date("2026-11-26T12:00:00.000Z") },
  };
  const alert = { ...base, ...overrides };
  return {
    ...alert,
    dashboardUrl: overrides.dashboardUrl ?? dashboardUrl("https://facedrift.example/", alert),
  };
}

/**
 * Incident 12 of tenant 7, opened by `sampleAlert` (critical); `transition` "escalated" says it
 * was a warning before, "resolved" carries no finding.
 */
export function sampleNotification(
  overrides: {
    transition?: IncidentNotification["transition"];
    incident?: Partial<IncidentSnapshot>;
    finding?: AlertEvent | null;
  } = {},
): IncidentNotification {
  const transition = overrides.transition ?? "opened";
  const finding = overrides.finding === undefined ? sampleAlert() : overrides.finding;
  const resolved = transition === "resolved";
  const incident: IncidentSnapshot = {
    id: 12,
    tenantId: 7,
    stream: "lobby-cam <east>",
    status: resolved ? "resolved" : "open",
    severity: "critical",
    category: "input",
    title: "Drift on lobby-cam <east>: PC1 shift (ADWIN), batch check (PSI/KS/MMD)",
    detectors: ["pc1", "batch"],
    findingCount: 3,
    openedAt: new Date("2026-11-26T11:00:00.000Z"),
    resolvedAt: resolved ? new Date("2026-11-26T18:00:00.000Z") : null,
    resolvedBy: resolved ? "calm" : null,
    window: { from: new Date("2026-11-26T10:00:00.000Z"), to: new Date("2026-11-26T12:00:00.000Z") },
    impact: { deltaAuc: 0.021, error: 0.006 },
    ...overrides.incident,
  };
  return {
    key: `incident-${incident.id}-${transition}-${incident.severity}`,
    transition,
    previousSeverity: transition === "escalated" ? "warning" : null,
    at: resolved ? (incident.resolvedAt as Date) : new Date("2026-11-26T12:00:00.000Z"),
    incident,
    finding: resolved ? null : finding,
    dashboardUrl: incidentDashboardUrl("https://facedrift.example/", incident),
  };
}
