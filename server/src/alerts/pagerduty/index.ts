/**
 * @module
 * PagerDuty Events API v2: one `trigger` event per alert.
 *
 * `dedup_key` is tenant/stream/detector, so repeated alerts about one shift add to the open
 * incident instead of paging again (PagerDuty groups events by key until the incident is
 * resolved). The API answers 202 with the key, 400 for an invalid event (not retryable), 429 when
 * throttled and 5xx when it is unwell (both retryable).
 */
import type { PagerDutyConfig } from "../config.ts";
import { PAGERDUTY_EVENTS_URL } from "../config.ts";
import { sendHttp } from "../http.ts";
import type { AlertEvent, AlertSeverity, DeliverOptions, DeliveryReceipt } from "../types.ts";

/** PagerDuty's severities are critical, error, warning and info; ours map one to one. */
const SEVERITY: Record<AlertSeverity, "critical" | "warning" | "info"> = {
  critical: "critical",
  warning: "warning",
  info: "info",
};

export async function deliver(
  alert: AlertEvent,
  config: PagerDutyConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const result = await sendHttp(
    "pagerduty",
    config.endpoint ?? PAGERDUTY_EVENTS_URL,
    { headers: { "Content-Type": "application/json" }, body: JSON.stringify(triggerEvent(alert, config)) },
    options,
  );
  return { httpStatus: result.status, detail: result.body.slice(0, 200) };
}

export function dedupKey(alert: Pick<AlertEvent, "tenantId" | "stream" | "detector">): string {
  // The Events API caps dedup_key at 255 characters.
  return `facedrift/${alert.tenantId}/${alert.stream}/${alert.detector}`.slice(0, 255);
}

export function triggerEvent(alert: AlertEvent, config: Pick<PagerDutyConfig, "routingKey">) {
  return {
    routing_key: config.routingKey,
    event_action: "trigger",
    dedup_key: dedupKey(alert),
    payload: {
      // The API caps summary at 1024 characters.
      summary: `[${alert.stream}] ${alert.title}`.slice(0, 1024),
      source: `facedrift:${alert.stream}`,
      severity: SEVERITY[alert.severity],
      timestamp: alert.createdAt.toISOString(),
      component: alert.stream,
      group: alert.detector,
      class: "embedding-drift",
      custom_details: {
        alert_id: alert.id,
        window_from: alert.window.from.toISOString(),
        window_to: alert.window.to.toISOString(),
        ...alert.numbers,
      },
    },
    links: [{ href: alert.dashboardUrl, text: "Open in Facedrift dashboard" }],
    client: "Facedrift",
    client_url: alert.dashboardUrl,
  };
}
