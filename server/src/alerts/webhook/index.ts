/**
 * @module
 * Generic webhook: POST the alert as JSON, signed like GitHub's webhooks.
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
import { alertToJson } from "../format.ts";
import { sendHttp } from "../http.ts";
import type { AlertEvent, DeliverOptions, DeliveryReceipt } from "../types.ts";

export const WEBHOOK_EVENT = "alert.triggered";

export async function deliver(
  alert: AlertEvent,
  config: WebhookConfig,
  options: DeliverOptions = {},
): Promise<DeliveryReceipt> {
  const deliveryId = options.deliveryId ?? randomUUID();
  const sentAt = (options.now ?? (() => new Date()))();
  const body = JSON.stringify({
    event: WEBHOOK_EVENT,
    deliveryId,
    sentAt: sentAt.toISOString(),
    alert: alertToJson(alert),
  });
  const result = await sendHttp(
    "webhook",
    config.url,
    {
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Facedrift-Webhook/1",
        "X-Facedrift-Event": WEBHOOK_EVENT,
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
