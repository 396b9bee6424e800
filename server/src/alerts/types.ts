/**
 * @module
 * What an alert channel receives. The detectors (streaming ADWIN, batch PSI/KS/MMD, the
 * verification job) build one `AlertEvent` per alert row; every channel formats the same object,
 * so a number shown in Slack is the number in the e-mail and in the webhook body.
 */
import type { AlertDetector, AlertSeverity } from "../db/schema/alert.ts";

export type { AlertDetector, AlertSeverity };

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
  /**
   * What changed: `population` (who is in front of the camera — informational) or `input` (how
   * the pipeline sees faces: camera, lighting, pre-processing). Absent for detectors that do not
   * classify (verification runs).
   */
  category?: AlertCategory;
  /** Predicted verification cost of an input change (ΔAUC, with the harm model's held-out error). */
  impact?: AlertImpact;
}

export type AlertCategory = "population" | "input";
export interface AlertImpact {
  deltaAuc: number;
  error: number;
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
