/**
 * @module
 * Generic webhook: POST each incident notification as JSON, signed like GitHub's webhooks. The
 * event is `incident.opened`, `incident.escalated` or `incident.resolved`; `incident.id` groups
 * the notifications of one episode, and `key` is one per notified change.
 *
 * `X-Facedrift-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. The body carries `sentAt`
 * and the `X-Facedrift-Timestamp` header repeats it, so the signature covers the timestamp: a
 * receiver that rejects old timestamps also rejects replays. `X-Facedrift-Delivery` stays the
 * same across retries of one delivery, so receivers can drop duplicates.
 *
 * @example
 * ```ts
 * await deliver(alert, { type: "webhook", url: "https://example.com/hook", secret }, { signal });
 * ```
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { WebhookConfig } from "../config.ts";
import { notificationToJson } from "../format.ts";
import { sendHttp } from "../http.ts";
import type { DeliverOptions, DeliveryReceipt, IncidentNotification } from "../types.ts";

/** `incident.opened`, `incident.escalated` or `incident.resolved`. */
export function webhookEvent(notification: IncidentNotification): string {
  return `incident.${notification.transition}`;
}

export async function deliver(
  notification: IncidentNotification,
  config: WebhookConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const deliveryId = options.deliveryId ?? randomUUID();
  const sentAt = (options.now ?? (() => new Date()))();
  const event = webhookEvent(notification);
  const body = JSON.stringify({
    event,
    deliveryId,
    sentAt: sentAt.toISOString(),
    ...notificationToJson(notification),
  });
  const result = await sendHttp(
    "webhook",
    config.url,
    {
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Facedrift-Webhook/1",
        "X-Facedrift-Event": event,
        "X-Facedrift-Incident": String(notification.incident.id),
        "X-Facedrift-Delivery": deliveryId,
        "X-Facedrift-Timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "X-Facedrift-Signature": sign(body, config.secret),
      },
      body,
    },
    options,
  );
  return { httpStatus: result.status };
}

/** `sha256=<hex>` over the exact bytes sent. */
export function sign(rawBody: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/** For receivers (and our own docs): constant-time check of a signature header. */
export function verifySignature(rawBody: string | Uint8Array, header: string, secret: string): boolean {
  const expected = Buffer.from(sign(rawBody, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
