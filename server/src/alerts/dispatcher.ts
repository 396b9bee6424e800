/**
 * @module
 * Sends one incident notification (opened, escalated, resolved) to every enabled channel of its
 * tenant, concurrently, each channel with its own retry loop: exponential backoff with jitter, a
 * per-attempt timeout, and a row in the delivery log for every attempt. A slow or failing channel
 * never delays the others.
 *
 * `dispatchNotification` never rejects: detectors call it and move on. Failures end up in the
 * delivery log, the logger and the returned summary.
 *
 * @example
 * ```ts
 * const summary = await dispatchNotification(notification, store, { logger });
 * // { incidentId: 12, transition: "opened", delivered: 2, failed: 1, channels: [...] }
 * ```
 */
import { randomUUID } from "node:crypto";
import type { PublicIds } from "../ids/public-ids.ts";
import type { Logger } from "../log.ts";
import { silentLogger } from "../log.ts";
import { DeliveryError } from "./delivery-error.ts";
import * as email from "./email/index.ts";
import * as pagerduty from "./pagerduty/index.ts";
import * as slack from "./slack/index.ts";
import type { AlertChannel, AlertStore, DeliveryStatus } from "./store.ts";
import { deliverNotificationAsTicket } from "./tickets/channel.ts";
import type { DeliveryReceipt, IncidentNotification, IncidentTransition } from "./types.ts";
import * as webhook from "./webhook/index.ts";
import * as webpush from "./webpush/index.ts";

export interface RetryPolicy {
  /** Attempts per channel, the first included. */
  attempts: number;
  /** Backoff before retry n is about `baseDelayMs · 2^(n-1)`, jittered, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Each attempt is aborted after this long. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
};

export interface DispatchOptions {
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** Jitter source in [0, 1); injectable so backoff is reproducible. */
  random?: () => number;
  /** Aborting it (server shutdown) stops retries; the attempt in flight is aborted too. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface ChannelOutcome {
  channelId: number;
  name: string;
  type: AlertChannel["config"]["type"];
  status: "delivered" | "failed";
  attempts: number;
  /** The last error's message, when failed. */
  error?: string;
}

export interface DispatchSummary {
  incidentId: number;
  transition: IncidentTransition;
  delivered: number;
  failed: number;
  channels: ChannelOutcome[];
  /** Set when the channels could not even be listed. */
  error?: string;
}

type Store = Pick<AlertStore, "channels" | "deliveries" | "vapidKeys" | "pushSubscriptions" | "publicIds">;
type Send = (signal: AbortSignal) => Promise<DeliveryReceipt>;

export async function dispatchNotification(
  notification: IncidentNotification,
  store: Store,
  options: DispatchOptions = {},
): Promise<DispatchSummary> {
  const logger = options.logger ?? silentLogger;
  const { incident, transition } = notification;
  const summary: DispatchSummary = {
    incidentId: incident.id,
    transition,
    delivered: 0,
    failed: 0,
    channels: [],
  };
  let channels: AlertChannel[];
  let outward: IncidentNotification;
  try {
    channels = await store.channels.listEnabled(incident.tenantId);
    outward = store.publicIds ? outwardNotification(notification, await store.publicIds()) : notification;
  } catch (error) {
    summary.error = `could not list alert channels: ${message(error)}`;
    logger("error", "incident notification failed", { incidentId: incident.id, error: summary.error });
    return summary;
  }
  const outcomes = await Promise.all(
    channels.map((channel) =>
      deliverWithRetries(notification, channel, sender(outward, channel, store, options), store, options),
    ),
  );
  for (const outcome of outcomes) {
    summary.channels.push(outcome);
    if (outcome.status === "delivered") summary.delivered++;
    else summary.failed++;
  }
  return summary;
}

/**
 * The notification as channels see it: the incident, its finding, the tenant, the change's key
 * and the dashboard links name them by public id, as the API does (row ids would count every
 * tenant's incidents, and the tenants).
 */
export function outwardNotification(
  notification: IncidentNotification,
  ids: PublicIds,
): IncidentNotification {
  const incidentId = ids.encode("incident", notification.incident.id);
  const { finding } = notification;
  return {
    ...notification,
    key: notification.key.replace(/^incident-\d+-/, `incident-${incidentId}-`),
    incident: {
      ...notification.incident,
      id: incidentId,
      tenantId: ids.encode("tenant", notification.incident.tenantId),
    },
    finding: finding && {
      ...finding,
      id: ids.encode("alert", finding.id),
      tenantId: ids.encode("tenant", finding.tenantId),
      dashboardUrl: withParam(finding.dashboardUrl, "alert", ids.encode("alert", finding.id)),
    },
    dashboardUrl: withParam(notification.dashboardUrl, "incident", incidentId),
  };
}

function withParam(link: string, name: string, value: number): string {
  const url = new URL(link);
  if (url.searchParams.has(name)) url.searchParams.set(name, String(value));
  return url.toString();
}

/** The delay before retry `attempt + 1`, after failed attempt `attempt` (1-based). */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": half fixed, half random, so retries from many alerts spread out but never
  // fire back to back.
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

async function deliverWithRetries(
  notification: IncidentNotification,
  channel: AlertChannel,
  send: Send,
  store: Store,
  options: DispatchOptions,
): Promise<ChannelOutcome> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const outcome: ChannelOutcome = {
    channelId: channel.id,
    name: channel.name,
    type: channel.config.type,
    status: "failed",
    attempts: 0,
  };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    outcome.attempts = attempt;
    const startedAt = new Date();
    const started = performance.now();
    let status: DeliveryStatus = "delivered";
    let httpStatus: number | null = null;
    let error: DeliveryError | undefined;
    try {
      httpStatus =
        (await attemptWithTimeout(send, channel, policy.timeoutMs, options.signal)).httpStatus ?? null;
    } catch (caught) {
      error = asDeliveryError(caught, channel);
      httpStatus = error.httpStatus ?? null;
      const last = attempt === policy.attempts || !error.retryable || options.signal?.aborted === true;
      status = last ? "failed" : "retrying";
    }
    const durationMs = Math.round(performance.now() - started);
    await record(store, logger, {
      alertId: notification.finding?.id ?? null,
      incidentId: notification.incident.id,
      transition: notification.transition,
      channelId: channel.id,
      channelType: channel.config.type,
      attempt,
      status,
      httpStatus,
      error: error?.message ?? null,
      timedOut: error?.timedOut ?? false,
      startedAt,
      durationMs,
    });
    if (status === "delivered") {
      outcome.status = "delivered";
      return outcome;
    }
    outcome.error = error?.message;
    if (status === "failed") break;
    await sleep(backoffDelay(attempt, policy, random, error?.retryAfterMs), options.signal);
    if (options.signal?.aborted) break;
  }
  logger("warn", "incident notification delivery failed", {
    incidentId: notification.incident.id,
    transition: notification.transition,
    channelId: channel.id,
    channelType: channel.config.type,
    attempts: outcome.attempts,
    error: outcome.error,
  });
  return outcome;
}

/**
 * Runs one attempt under its own timeout. The race with the abort covers a channel that ignores
 * its signal: the dispatcher moves on even if the library underneath does not stop.
 */
async function attemptWithTimeout(
  send: Send,
  channel: AlertChannel,
  timeoutMs: number,
  outer: AbortSignal | undefined,
): Promise<DeliveryReceipt> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("attempt timed out", "TimeoutError")),
    timeoutMs,
  );
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  if (outer?.aborted) onOuterAbort();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        new DeliveryError(
          channel.config.type,
          `${channel.config.type}: attempt aborted after ${timeoutMs} ms`,
          {
            retryable: true,
            timedOut: true,
          },
        ),
      );
    controller.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([send(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    controller.signal.removeEventListener("abort", onAbort);
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

function sender(
  notification: IncidentNotification,
  channel: AlertChannel,
  store: Store,
  options: DispatchOptions,
): Send {
  // One delivery id per channel, the same on every retry, so receivers can drop duplicates.
  const common = { deliveryId: randomUUID(), ...(options.fetch ? { fetch: options.fetch } : {}) };
  const config = channel.config;
  const n = notification;
  switch (config.type) {
    case "webhook":
      return (signal) => webhook.deliver(n, config, { ...common, signal });
    case "slack":
      return (signal) => slack.deliver(n, config, { ...common, signal });
    case "pagerduty":
      return (signal) => pagerduty.deliver(n, config, { ...common, signal });
    case "email":
      return (signal) => email.deliver(n, config, { ...common, signal });
    case "webpush": {
      // The push channel looks the tenant's subscriptions up: by the row id (the channel's own).
      const toTenant = { ...n, incident: { ...n.incident, tenantId: channel.tenantId } };
      const sent = new Set<string>();
      const stores = { subscriptions: store.pushSubscriptions, vapidKeys: store.vapidKeys };
      return (signal) => webpush.deliver(toTenant, config, { ...common, ...stores, sent, signal });
    }
    case "github":
    case "jira":
      return (signal) => deliverNotificationAsTicket(n, config, { ...common, signal });
  }
}

async function record(store: Store, logger: Logger, attempt: Parameters<Store["deliveries"]["record"]>[0]) {
  try {
    await store.deliveries.record(attempt);
  } catch (error) {
    // Losing a log row must not stop delivery; say so where operators look.
    logger("error", "could not record alert delivery attempt", { ...attempt, recordError: message(error) });
  }
}

/** Unexpected errors (a store hiccup inside a channel, a bug) are retried: delivery matters more. */
function asDeliveryError(error: unknown, channel: AlertChannel): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError(channel.config.type, `${channel.config.type}: ${message(error)}`, {
    retryable: true,
    cause: error,
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
