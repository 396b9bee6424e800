/**
 * The one error a channel throws. `retryable` is the channel's verdict, which the dispatcher
 * obeys: a 5xx, a 429, a network failure or a timeout may succeed later; a 4xx (bad URL, revoked
 * key, malformed payload) will fail the same way every time, so retrying only delays the log.
 */
export type { ChannelType } from "../db/schema/alert-channel.ts";

import type { ChannelType } from "../db/schema/alert-channel.ts";

export interface DeliveryErrorDetails {
  retryable: boolean;
  httpStatus?: number;
  /** From a `Retry-After` header; the dispatcher waits at least this long (capped). */
  retryAfterMs?: number;
  timedOut?: boolean;
  cause?: unknown;
}

/**
 * Where a delivery error's message quotes the channel's peer (an HTTP error body, an SMTP reply).
 * That text comes from a server a tenant's admin chose and can say anything, so it is shown to
 * admins only: {@link withoutPeerText} cuts it for everyone else.
 */
export const PEER_SAID = " — the peer said: ";

export function withoutPeerText(message: string): string {
  const at = message.indexOf(PEER_SAID);
  return at < 0 ? message : message.slice(0, at);
}

export class DeliveryError extends Error {
  readonly channel: ChannelType;
  readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly timedOut: boolean;

  constructor(channel: ChannelType, message: string, details: DeliveryErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "DeliveryError";
    this.channel = channel;
    this.retryable = details.retryable;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.timedOut = details.timedOut ?? false;
  }
}

/**
 * 408 (request timeout), 425 (too early) and 429 (rate limited) are the 4xx codes that say
 * "try again"; every 5xx may be transient.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True when `error` comes from an aborted signal (our timeout or the caller's). */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}
