/**
 * @module
 * Alerts: the timeline (`GET /v1/alerts`), acknowledging with a note, and the delivery log.
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export type Alert = Schema<"Alert">;
export type AlertSeverity = Alert["severity"];
export type AlertDetector = Alert["detector"];
export type AlertPage = Schema<"AlertPage">;

export interface AlertQuery {
  stream?: string;
  detector?: AlertDetector;
  severity?: AlertSeverity;
  acknowledged?: boolean;
  before?: number;
  limit?: number;
}

export type AlertDelivery = Schema<"AlertDelivery">;

export function listAlerts(query: AlertQuery = {}, doFetch?: typeof fetch): Promise<AlertPage> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.size > 0 ? `?${params}` : "";
  return api<AlertPage>(`/v1/alerts${search}`, doFetch ? { fetch: doFetch } : {});
}

export function acknowledgeAlert(id: number, note: string): Promise<Alert> {
  const trimmed = note.trim();
  return api<Alert>(`/v1/alerts/${id}/acknowledge`, {
    method: "POST",
    body: trimmed ? { note: trimmed } : {},
  });
}

export async function listDeliveries(id: number): Promise<AlertDelivery[]> {
  return (await api<{ items: AlertDelivery[] }>(`/v1/alerts/${id}/deliveries`)).items;
}

/** The time range an alert is about (`payload.window`), falling back to the hour before it. */
export function alertWindow(alert: Alert): { from: string; to: string } {
  const window = alert.payload.window as { from?: unknown; to?: unknown } | undefined;
  if (typeof window?.from === "string" && typeof window.to === "string") {
    return { from: window.from, to: window.to };
  }
  const at = new Date(alert.createdAt).getTime();
  return { from: new Date(at - 3_600_000).toISOString(), to: alert.createdAt };
}

/** `/streams/<stream>?from=…&to=…&alert=<id>`: the stream page filtered to the alert's range. */
export function alertStreamLink(alert: Alert): string {
  const { from, to } = alertWindow(alert);
  const params = new URLSearchParams({ from, to, alert: String(alert.id) });
  return `/streams/${encodeURIComponent(alert.stream)}?${params}`;
}

/** Who acknowledged and what they wrote: `payload.acknowledgement`, where the server records them. */
export function acknowledgement(alert: Alert): { note: string | null; by: string | null } | null {
  if (!alert.acknowledgedAt) return null;
  const ack = alert.payload.acknowledgement as { note?: unknown; by?: unknown } | undefined;
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);
  return {
    note: text(ack?.note),
    by: text(ack?.by),
  };
}
