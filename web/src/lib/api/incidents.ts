/**
 * @module
 * Incidents: the timeline (`GET /v1/incidents`), one incident with its findings, history and
 * notifications, acknowledging and resolving with a note.
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export type Incident = Schema<"Incident">;
export type IncidentDetail = Schema<"IncidentDetail">;
export type IncidentPage = Schema<"IncidentPage">;
export type IncidentSeverity = Incident["severity"];
export type IncidentStatus = Incident["status"];

export interface IncidentQuery {
  stream?: string;
  status?: IncidentStatus | "active";
  /** At least this severity. */
  severity?: IncidentSeverity;
  category?: NonNullable<Incident["category"]>;
  before?: number;
  limit?: number;
}

export function listIncidents(query: IncidentQuery = {}, doFetch?: typeof fetch): Promise<IncidentPage> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.size > 0 ? `?${params}` : "";
  return api<IncidentPage>(`/v1/incidents${search}`, doFetch ? { fetch: doFetch } : {});
}

export function getIncident(id: number): Promise<IncidentDetail> {
  return api<IncidentDetail>(`/v1/incidents/${id}`);
}

function withNote(note: string) {
  const trimmed = note.trim();
  return trimmed ? { note: trimmed } : {};
}

export function acknowledgeIncident(id: number, note: string): Promise<IncidentDetail> {
  return api<IncidentDetail>(`/v1/incidents/${id}/acknowledge`, { method: "POST", body: withNote(note) });
}

export function resolveIncident(id: number, note: string): Promise<IncidentDetail> {
  return api<IncidentDetail>(`/v1/incidents/${id}/resolve`, { method: "POST", body: withNote(note) });
}

/**
 * `/streams/<stream>?from=…&to=…&incident=<id>`: the stream page over the incident's evidence
 * with context around it (`range`, decided by the server).
 */
export function incidentStreamLink(incident: Pick<Incident, "id" | "stream" | "range">): string {
  const params = new URLSearchParams({
    from: incident.range.from,
    to: incident.range.to,
    incident: String(incident.id),
  });
  return `/streams/${encodeURIComponent(incident.stream)}?${params}`;
}

/** Who did it, as people read it: the signed-in user is "you"; `calm` is the calm period. */
export function actorLabel(actor: string | null | undefined, me: string): string | null {
  if (!actor) return null;
  if (actor === "calm") return "the calm period (no new finding)";
  return actor === me ? "you" : actor;
}

export type AlertActivity = Schema<"AlertActivity">;
export type ActivityBucket = AlertActivity["bucket"];

/** Findings by severity and incidents opened per hour or day (UTC), zeros included. */
export function getAlertActivity(query: { bucket: ActivityBucket; stream?: string }): Promise<AlertActivity> {
  const params = new URLSearchParams({ bucket: query.bucket });
  if (query.stream) params.set("stream", query.stream);
  return api<AlertActivity>(`/v1/alert-activity?${params}`);
}
