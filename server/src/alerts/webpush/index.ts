/**
 * @module
 * Web Push to the dashboard's service worker. web-push does the cryptography: the VAPID JWT
 * (RFC 8292, ES256) and the payload encryption (RFC 8291 key derivation, RFC 8188 `aes128gcm`
 * content coding). We send the request it prepares with `fetch`, so the per-attempt
 * `AbortSignal` applies and the transport is the same as every other HTTP channel.
 *
 * One VAPID key pair serves the deployment (see `VapidKeyStore`). A push service answering 404 or
 * 410 says the subscription is gone for good (RFC 8030 §7.3): it is removed, not retried.
 */
import { createHash } from "node:crypto";
import webpush from "web-push";
import type { PushSubscriptionInput, WebPushConfig } from "../config.ts";
import { pushSubscriptionSchema } from "../config.ts";
import { DeliveryError } from "../delivery-error.ts";
import { pushEgressPolicy, pushEndpointProblem } from "../egress.ts";
import { headline, summaryLine } from "../format.ts";
import { sendHttp } from "../http.ts";
import type { PushSubscription, PushSubscriptionStore, VapidKeyStore, VapidKeys } from "../store.ts";
import type {
  AlertSeverity,
  DeliverOptions,
  DeliveryReceipt,
  IncidentNotification,
  IncidentTransition,
} from "../types.ts";

export interface WebPushDeliverOptions extends DeliverOptions {
  subscriptions: PushSubscriptionStore;
  vapidKeys: VapidKeyStore;
  /**
   * Endpoints already served in this delivery. The dispatcher passes the same set to every
   * attempt, so a retry after one push service failed does not notify the others twice.
   */
  sent?: Set<string>;
}

/** What the service worker receives (`event.data.json()`). */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
  /** One notification per incident on the device: each transition replaces the last. */
  incidentId: number;
  transition: IncidentTransition;
  /** The finding that opened or escalated it; null for a resolve. */
  alertId: number | null;
  severity: AlertSeverity;
}

/** RFC 8030 §5.3: how hard the push service should try to wake a sleeping device. */
const URGENCY: Record<AlertSeverity, "low" | "normal" | "high"> = {
  info: "low",
  warning: "normal",
  critical: "high",
};

/** The deployment's VAPID keys, generated and stored on first use. */
export async function ensureVapidKeys(store: VapidKeyStore): Promise<VapidKeys> {
  const existing = await store.get();
  if (existing) return existing;
  return store.insertIfAbsent(webpush.generateVAPIDKeys());
}

/** Validates a browser's `PushSubscription.toJSON()` and stores it for the tenant. */
export async function addSubscription(
  store: PushSubscriptionStore,
  tenantId: number,
  input: unknown,
): Promise<PushSubscriptionInput> {
  const subscription = pushSubscriptionSchema.parse(input);
  await store.add(tenantId, { endpoint: subscription.endpoint, keys: subscription.keys });
  return subscription;
}

export function pushPayload(n: IncidentNotification): PushPayload {
  return {
    title: headline(n).slice(0, 200),
    body: summaryLine(n).slice(0, 1000),
    url: n.dashboardUrl,
    incidentId: n.incident.id,
    transition: n.transition,
    alertId: n.finding?.id ?? null,
    severity: n.incident.severity,
  };
}

export async function deliver(
  notification: IncidentNotification,
  config: WebPushConfig,
  options: WebPushDeliverOptions,
): Promise<DeliveryReceipt> {
  const keys = await ensureVapidKeys(options.vapidKeys);
  const sent = options.sent ?? new Set<string>();
  const tenantId = notification.incident.tenantId;
  const pending = (await options.subscriptions.list(tenantId)).filter((s) => !sent.has(s.endpoint));
  const payload = JSON.stringify(pushPayload(notification));
  const results = await Promise.allSettled(
    pending.map((subscription) => pushOne(subscription, payload, notification, config, keys, options)),
  );

  let gone = 0;
  const failures: DeliveryError[] = [];
  results.forEach((result, i) => {
    const endpoint = pending[i]!.endpoint;
    if (result.status === "fulfilled") sent.add(endpoint);
    else if (isGone(result.reason)) gone++;
    else failures.push(asDeliveryError(result.reason));
  });
  const detail = `${sent.size} delivered, ${gone} gone (removed), ${failures.length} failed`;
  if (failures.length === 0) return { detail };
  // Retry only if some failure may heal; the set keeps the delivered ones from repeating.
  const retryable = failures.some((f) => f.retryable);
  const first = failures[0]!;
  throw new DeliveryError("webpush", `webpush: ${detail}; first: ${first.message}`, {
    retryable,
    timedOut: failures.every((f) => f.timedOut),
    ...(first.httpStatus === undefined ? {} : { httpStatus: first.httpStatus }),
    cause: first,
  });
}

async function pushOne(
  subscription: PushSubscription,
  payload: string,
  notification: IncidentNotification,
  config: WebPushConfig,
  keys: VapidKeys,
  options: WebPushDeliverOptions,
): Promise<void> {
  const details = webpush.generateRequestDetails(subscription, payload, {
    vapidDetails: { subject: config.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
    TTL: config.ttlSeconds,
    // A resolve is good news: it need not wake a sleeping phone.
    urgency: notification.transition === "resolved" ? "low" : URGENCY[notification.incident.severity],
    topic: topic(notification),
    contentEncoding: "aes128gcm",
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details.headers)) {
    // fetch computes Content-Length itself and refuses a conflicting one.
    if (name.toLowerCase() !== "content-length") headers[name] = String(value);
  }
  try {
    const policy = pushEgressPolicy();
    const refused = pushEndpointProblem(details.endpoint, policy);
    if (refused) {
      throw new DeliveryError("webpush", `webpush: endpoint refused: ${refused}`, { retryable: false });
    }
    await sendHttp(
      "webpush",
      details.endpoint,
      { method: details.method, headers, body: new Uint8Array(details.body as Buffer) },
      options,
      undefined,
      policy,
    );
  } catch (error) {
    if (isGone(error)) {
      await options.subscriptions.remove(notification.incident.tenantId, subscription.endpoint);
    }
    throw error;
  }
}

/**
 * RFC 8030 §5.4: a newer message with the same topic replaces an undelivered one, so a phone
 * that was offline while an incident opened, escalated and resolved wakes to its latest state.
 * Topics are at most 32 base64url characters.
 */
function topic(notification: IncidentNotification): string {
  const key = `${notification.incident.tenantId}/incident/${notification.incident.id}`;
  return createHash("sha256").update(key).digest("base64url").slice(0, 32);
}

function isGone(error: unknown): boolean {
  return error instanceof DeliveryError && (error.httpStatus === 404 || error.httpStatus === 410);
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  // web-push throws plain Errors for malformed subscriptions or keys: no retry will fix them.
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError("webpush", `webpush: ${message}`, { retryable: false, cause: error });
}
