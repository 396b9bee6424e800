/**
 * @module
 * What an alert channel receives. The detectors (streaming ADWIN, batch PSI/KS/MMD, the
 * verification job) record one finding (`AlertEvent`, an `alerts` row) each; findings attach to
 * their stream's incident, and channels hear of the incident, not of each finding: an
 * `IncidentNotification` when it opens, escalates or resolves, carrying the finding that opened or
 * escalated it. Every channel formats the same object, so a number shown in Slack is the number in
 * the e-mail and in the webhook body.
 */
import type { AlertDetector, AlertSeverity } from "../db/schema/alert.ts";
import type { FindingCategory, IncidentStatus, IncidentTransition } from "../db/schema/incident.ts";

export type { AlertDetector, AlertSeverity, FindingCategory, IncidentStatus, IncidentTransition };

/**
 * A prediction of what the drift costs recognition (issue 12): the drop in verification AUC and
 * its stated error, from the detector's statistic.
 */
export interface FindingImpact {
  deltaAuc: number;
  error: number;
}

/**
 * The numbers behind an alert. Every field is optional because each detector fills its own:
 * ADWIN the PC1 means, the batch job PSI/KS/MMD, the verification job the AUC. `extra` holds
 * anything else a detector wants shown, by label.
 */
export interface AlertNumbers {
  pc1MeanBefore?: number;
  pc1MeanAfter?: number;
  /** PSI per monitored dimension, in dimension order. */
  psi?: number[];
  /** Dimensions whose statistic crossed its threshold (0-based). */
  flaggedDimensions?: number[];
  ksStatistic?: number;
  mmd2?: number;
  pValue?: number;
  auc?: number;
  extra?: Record<string, number>;
}

/** One finding: a detector's alert row. */
export interface AlertEvent {
  /** The `alerts.id` of the row this event was built from. */
  id: number;
  tenantId: number;
  /** Stream name (unique per tenant), not its id: channels show it to people. */
  stream: string;
  detector: AlertDetector;
  severity: AlertSeverity;
  createdAt: Date;
  /** One line, for a subject or a notification title. */
  title: string;
  numbers: AlertNumbers;
  /** The time range the alert is about; the dashboard link is filtered to it. */
  window: { from: Date; to: Date };
  /** `{baseUrl}/streams/{stream}?from=…&to=…&alert={id}`; see `dashboardUrl`. */
  dashboardUrl: string;
  /** The finding kind (`pc1`, `residual`, `mmd`, `batch`, `verification`, …); default the detector. */
  kind?: string;
  category?: FindingCategory;
  impact?: FindingImpact;
}

/** An incident as channels see it at one transition. */
export interface IncidentSnapshot {
  id: number;
  tenantId: number;
  stream: string;
  status: IncidentStatus;
  severity: AlertSeverity;
  category: FindingCategory | null;
  /** One line: what drifted on which stream, by which detectors. */
  title: string;
  /** Finding kinds that fired, in order of first appearance. */
  detectors: string[];
  findingCount: number;
  openedAt: Date;
  resolvedAt: Date | null;
  /** `calm` (no finding for the stream's calm period), or who resolved it. */
  resolvedBy: string | null;
  /** Event-time span of the findings' windows. */
  window: { from: Date; to: Date };
  /** The worst predicted impact among its findings, when any detector predicts one. */
  impact: FindingImpact | null;
}

export interface IncidentNotification {
  /**
   * `incident-<id>-<transition>-<severity>`: one per notified change, the same on every retry and
   * replay, so receivers can drop duplicates.
   */
  key: string;
  transition: IncidentTransition;
  /** Severity channels were told before this one (escalations); null otherwise. */
  previousSeverity: AlertSeverity | null;
  at: Date;
  incident: IncidentSnapshot;
  /** The finding that opened or escalated it; null for a resolve. */
  finding: AlertEvent | null;
  /** The stream page over the incident's window with context around it, `&incident=<id>`. */
  dashboardUrl: string;
}

/**
 * The range a link to an incident opens: its findings' event-time span, padded on each side by a
 * quarter of it and at least 30 minutes, so the evidence sits inside its context.
 */
export function incidentRange(window: { from: Date; to: Date }): { from: Date; to: Date } {
  const span = Math.max(0, window.to.getTime() - window.from.getTime());
  const pad = Math.max(span / 4, 30 * 60_000);
  return { from: new Date(window.from.getTime() - pad), to: new Date(window.to.getTime() + pad) };
}

/** The deep link of an incident: its stream over `incidentRange`, with `incident=<id>`. */
export function incidentDashboardUrl(
  baseUrl: string,
  incident: Pick<IncidentSnapshot, "id" | "stream" | "window">,
): string {
  const range = incidentRange(incident.window);
  const url = new URL(
    `streams/${encodeURIComponent(incident.stream)}`,
    baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`,
  );
  url.searchParams.set("from", range.from.toISOString());
  url.searchParams.set("to", range.to.toISOString());
  url.searchParams.set("incident", String(incident.id));
  return url.toString();
}

/** The deep link into the dashboard, pre-filtered to the alert's time range. */
export function dashboardUrl(baseUrl: string, alert: Pick<AlertEvent, "id" | "stream" | "window">): string {
  const url = new URL(
    `streams/${encodeURIComponent(alert.stream)}`,
    baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`,
  );
  url.searchParams.set("from", alert.window.from.toISOString());
  url.searchParams.set("to", alert.window.to.toISOString());
  url.searchParams.set("alert", String(alert.id));
  return url.toString();
}

/** Options every channel's `deliver` accepts. */
export interface DeliverOptions {
  /** Aborts the attempt; the dispatcher passes its per-attempt timeout here. */
  signal?: AbortSignal;
  /** Stable across the retries of one delivery, so receivers can drop duplicates. */
  deliveryId?: string;
  /** Defaults to the global `fetch`; injectable for proxies, not for mocking in tests. */
  fetch?: typeof fetch;
  /** Defaults to `new Date()`; the webhook's timestamp. */
  now?: () => Date;
}

/** What a successful delivery reports back, for the delivery log. */
export interface DeliveryReceipt {
  httpStatus?: number;
  detail?: string;
}
