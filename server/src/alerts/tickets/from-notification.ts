/**
 * @module
 * An incident notification as a ticket change: the ticket is the incident (`incident-<id>`), the
 * change is the notification (its `key`, `incident-<id>-<transition>-<severity>`, is the same on
 * every retry and replay). The ticket's facts are the incident's: its detectors, findings,
 * category and predicted impact, next to the finding that opened or escalated it.
 */
import type { IncidentNotification } from "../types.ts";
import type { TicketEvent } from "./event.ts";

export const incidentTicketKey = (incidentId: number) => `incident-${incidentId}`;

export function ticketEventFromNotification(notification: IncidentNotification): TicketEvent {
  const { incident, finding } = notification;
  const facts: [string, string][] = [
    ["Incident", `#${incident.id}, ${incident.status}`],
    ["Detectors", incident.detectors.join(", ") || "–"],
    ["Findings", String(incident.findingCount)],
  ];
  if (incident.category) facts.push(["Category", incident.category]);
  if (incident.impact) {
    const { deltaAuc, error } = incident.impact;
    facts.push(["Predicted AUC change", `${deltaAuc.toFixed(3)} ± ${error.toFixed(3)}`]);
  }
  const resolvedBy =
    incident.resolvedBy === "calm"
      ? "resolved after the stream stayed calm"
      : `resolved by ${incident.resolvedBy ?? "someone"}`;
  return {
    key: incidentTicketKey(incident.id),
    transition: notification.transition,
    changeKey: notification.key,
    tenantId: incident.tenantId,
    stream: incident.stream,
    severity: incident.severity,
    previousSeverity: notification.previousSeverity,
    title: incident.title,
    summary: finding?.title ?? resolvedBy,
    numbers: finding?.numbers ?? {},
    facts,
    window: incident.window,
    dashboardUrl: notification.dashboardUrl,
    at: notification.at,
  };
}
