/**
 * @module
 * Alerts: the timeline (`GET /v1/alerts`), acknowledging with a note, and the delivery log.
 */
import { api } from "./client.ts";

export type AlertSeverity = "info" | "warning" | "critical";
export type AlertDetector = "stream" | "batch" | "verification";

export interface Alert {
  id: number;
  stream: string;
  detector: AlertDetector;
  severity: AlertSeverity;
  /** The detector's numbers and details; `window`, `title`, `numbers`, `acknowledgement`. */
  payload: Record<string, unknown>;
  createdAt: string;
  acknowledgedAt: string | null;
  /** The acknowledgement's note and author, where the server returns them as fields. */
  note?: string | null;
  acknowledgedBy?: string | null;
}

export interface AlertPage {
  items: Alert[];
  nextBefore: number | null;
}

export interface AlertQuery {
  stream?: string;
  detector?: AlertDetector;
  severity?: AlertSeverity;
  acknowledged?: boolean;
  before?: number;
  limit?: number;
}

export interface AlertDelivery {
  id: number;
  channelId: number | null;
  channelType: string;
  attempt: number;
  status: string;
  httpStatus: number | null;
  error: string | null;
  timedOut: boolean;
  startedAt: string;
  durationMs: number;
}

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

/**
 * Who acknowledged and what they wrote: the `note`/`acknowledgedBy` fields when the server sends
 * them, else `payload.acknowledgement` where it records them.
 */
export function acknowledgement(alert: Alert): { note: string | null; by: string | null } | null {
  if (!alert.acknowledgedAt) return null;
  const ack = alert.payload.acknowledgement as { note?: unknown; by?: unknown } | undefined;
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);
  return {
    note: text(alert.note) ?? text(ack?.note),
    by: text(alert.acknowledgedBy) ?? text(ack?.by),
  };
}
