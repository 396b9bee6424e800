/**
 * @module
 * PagerDuty Events API v2: one PagerDuty alert per incident.
 *
 * `dedup_key` is the incident (`facedrift/<tenant>/incident/<id>`): `opened` and `escalated` are
 * `trigger` events under it (PagerDuty adds a repeated trigger to the open alert instead of paging
 * again, and the escalation's summary and severity show in its log), `resolved` is a `resolve`
 * event that closes it. The API answers 202 with the key, 400 for an invalid event (not
 * retryable), 429 when throttled and 5xx when it is unwell (both retryable).
 */
import type { PagerDutyConfig } from "../config.ts";
import { PAGERDUTY_EVENTS_URL } from "../config.ts";
import { headline } from "../format.ts";
import { sendHttp } from "../http.ts";
import type { AlertSeverity, DeliverOptions, DeliveryReceipt, IncidentNotification } from "../types.ts";

/** PagerDuty's severities are critical, error, warning and info; ours map one to one. */
const SEVERITY: Record<AlertSeverity, "critical" | "warning" | "info"> = {
  critical: "critical",
  warning: "warning",
  info: "info",
};

export async function deliver(
  notification: IncidentNotification,
  config: PagerDutyConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const result = await sendHttp(
    "pagerduty",
    config.endpoint ?? PAGERDUTY_EVENTS_URL,
    {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(pagerDutyEvent(notification, config)),
    },
    options,
  );
  return { httpStatus: result.status, detail: result.body.slice(0, 200) };
}

export function dedupKey(incident: { tenantId: number; id: number }): string {
  return `facedrift/${incident.tenantId}/incident/${incident.id}`;
}

export function pagerDutyEvent(n: IncidentNotification, config: Pick<PagerDutyConfig, "routingKey">) {
  const { incident } = n;
  if (n.transition === "resolved") {
    return { routing_key: config.routingKey, event_action: "resolve", dedup_key: dedupKey(incident) };
  }
  return {
    routing_key: config.routingKey,
    event_action: "trigger",
    dedup_key: dedupKey(incident),
    payload: {
      // The API caps summary at 1024 characters.
      summary: `[${incident.stream}] ${headline(n)}`.slice(0, 1024),
      source: `facedrift:${incident.stream}`,
      severity: SEVERITY[incident.severity],
      timestamp: n.at.toISOString(),
      component: incident.stream,
      group: incident.detectors.join(","),
      class: incident.category === "population" ? "population-change" : "embedding-drift",
      custom_details: {
        incident_id: incident.id,
        transition: n.transition,
        previous_severity: n.previousSeverity,
        detectors: incident.detectors,
        findings: incident.findingCount,
        window_from: incident.window.from.toISOString(),
        window_to: incident.window.to.toISOString(),
        ...(incident.impact ? { predicted_auc_drop: incident.impact } : {}),
        ...(n.finding ? { finding_id: n.finding.id, finding: n.finding.title, ...n.finding.numbers } : {}),
      },
    },
    links: [{ href: n.dashboardUrl, text: "Open in Facedrift dashboard" }],
    client: "Facedrift",
    client_url: n.dashboardUrl,
  };
}
