/**
 * The HTTP step shared by the webhook, Slack, PagerDuty, Web Push, GitHub and Jira channels: send, then turn
 * every way it can go wrong into a `DeliveryError` with the right `retryable`.
 */
import {
  type ChannelType,
  DeliveryError,
  isAbort,
  isRetryableStatus,
  parseRetryAfter,
} from "./delivery-error.ts";
import { type EgressPolicy, EgressRefused, egressFetch, egressPolicy } from "./egress.ts";
import type { DeliverOptions } from "./types.ts";

/** Enough of an error body to explain it in the delivery log, never a whole HTML page. */
const MAX_ERROR_BODY = 300;

export interface HttpResult {
  status: number;
  body: string;
}

/** A channel's own reading of a refusal, where the status alone misleads (GitHub's rate-limit 403). */
export type RefusalVerdict = (
  response: Response,
  body: string,
) => { retryable: boolean; retryAfterMs?: number } | undefined;

export async function sendHttp(
  channel: ChannelType,
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> },
  options: DeliverOptions,
  verdict?: RefusalVerdict,
  /** Where this request may go; Web Push passes its stricter policy. */
  policy: EgressPolicy = egressPolicy(),
): Promise<HttpResult> {
  // Channel URLs come from API callers: connections go only where the egress policy allows.
  const fetchImpl = options.fetch ?? egressFetch(policy);
  let response: Response;
  let body: string;
  try {
    response = await fetchImpl(url, {
      method: init.method ?? "POST",
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: options.signal,
      redirect: "error",
    });
    body = await response.text();
  } catch (error) {
    const refused = egressRefusal(error);
    if (refused) {
      // A refused destination stays refused: retrying would only repeat the request.
      throw new DeliveryError(channel, `${channel}: request to ${origin(url)} refused: ${refused.message}`, {
        retryable: false,
        cause: error,
      });
    }
    const timedOut = isAbort(error, options.signal);
    const message = timedOut
      ? `${channel}: request to ${origin(url)} aborted (timeout)`
      : `${channel}: request to ${origin(url)} failed: ${describe(error)}`;
    // A refused connection or a reset may heal; a timeout may too. Both are worth another try.
    throw new DeliveryError(channel, message, { retryable: true, timedOut, cause: error });
  }
  if (response.ok) return { status: response.status, body };
  const own = verdict?.(response, body);
  const retryAfterMs = own?.retryAfterMs ?? parseRetryAfter(response.headers.get("retry-after"));
  throw new DeliveryError(
    channel,
    `${channel}: ${origin(url)} answered ${response.status}: ${body.slice(0, MAX_ERROR_BODY)}`,
    {
      retryable: own?.retryable ?? isRetryableStatus(response.status),
      httpStatus: response.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  );
}

/** Only the origin goes into messages: Slack and PagerDuty URLs carry secrets in their paths. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}

function egressRefusal(error: unknown): EgressRefused | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof EgressRefused) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
