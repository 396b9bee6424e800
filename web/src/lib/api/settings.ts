/**
 * @module
 * Settings: API keys, alert channels and each stream's schedule, retention and alert rules.
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export type ApiKey = Schema<"ApiKey">;
export type ApiKeyScope = ApiKey["scopes"][number];
export type AlertChannel = Schema<"AlertChannel">;
export type ChannelTestResult = Schema<"AlertChannelTestResult">;
/** "PSI ≥ threshold on the same dimension for `runs` consecutive runs". */
export type PsiPersistence = Schema<"PsiPersistence">;
/** null: not set for this stream (no schedule; the detector's or server's default). */
export type StreamSettings = Schema<"StreamSettings">;
/** null: not set for this stream, the detector's default applies (or, for the PSI rule, none). */
export type AlertRules = StreamSettings["alertRules"];
/** Only the fields given change; null resets one. */
export type StreamSettingsPatch = Schema<"StreamSettingsPatch">;

export async function listApiKeys(doFetch?: typeof fetch): Promise<ApiKey[]> {
  return (await api<{ keys: ApiKey[] }>("/v1/api-keys", doFetch ? { fetch: doFetch } : {})).keys;
}

export function createApiKey(name: string, scopes: ApiKeyScope[]): Promise<{ key: ApiKey; secret: string }> {
  return api("/v1/api-keys", { method: "POST", body: { name, scopes } });
}

export function revokeApiKey(id: number): Promise<ApiKey> {
  return api(`/v1/api-keys/${id}`, { method: "DELETE" });
}

export async function listAlertChannels(doFetch?: typeof fetch): Promise<AlertChannel[]> {
  return (await api<{ items: AlertChannel[] }>("/v1/alert-channels", doFetch ? { fetch: doFetch } : {}))
    .items;
}

export function createAlertChannel(body: Record<string, unknown>): Promise<AlertChannel> {
  return api<AlertChannel>("/v1/alert-channels", { method: "POST", body });
}

export function deleteAlertChannel(id: number): Promise<unknown> {
  return api(`/v1/alert-channels/${id}`, { method: "DELETE" });
}

export function testAlertChannel(id: number): Promise<ChannelTestResult> {
  return api<ChannelTestResult>(`/v1/alert-channels/${id}/test`, { method: "POST" });
}

const settingsPath = (stream: string) => `/v1/streams/${encodeURIComponent(stream)}/settings`;

export function getStreamSettings(stream: string, doFetch?: typeof fetch): Promise<StreamSettings> {
  return api<StreamSettings>(settingsPath(stream), doFetch ? { fetch: doFetch } : {});
}

export function updateStreamSettings(stream: string, patch: StreamSettingsPatch): Promise<StreamSettings> {
  return api<StreamSettings>(settingsPath(stream), { method: "PATCH", body: patch });
}
