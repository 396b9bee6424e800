/**
 * @module
 * The server's side of web push: its VAPID public key and this browser's subscription.
 */
import { api } from "./client.ts";
import type { Schema } from "./schemas.ts";

export async function getVapidPublicKey(): Promise<string> {
  return (await api<{ publicKey: string }>("/v1/push/vapid-public-key")).publicKey;
}

export function savePushSubscription(subscription: PushSubscriptionJSON): Promise<{ endpoint: string }> {
  return api("/v1/push/subscriptions", { method: "POST", body: subscription });
}

export function deletePushSubscription(endpoint: string): Promise<void> {
  return api("/v1/push/subscriptions", { method: "DELETE", body: { endpoint } });
}

/** A subscribed browser of the tenant (`GET /v1/push/subscriptions`). */
export type PushDevice = Schema<"PushSubscriptions">["items"][number];

export async function listPushSubscriptions(): Promise<PushDevice[]> {
  return (await api<{ items: PushDevice[] }>("/v1/push/subscriptions")).items;
}
