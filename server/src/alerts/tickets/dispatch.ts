/**
 * @module
 * Sends one ticket change that no alert carries — today, a resolution when a drift run's alert
 * is acknowledged — to the tenant's enabled GitHub and Jira channels, with the dispatcher's retry
 * policy (`backoffDelay`, `DEFAULT_RETRY_POLICY`) and every attempt in the delivery log under the
 * alert it concerns. Never rejects; message channels are not told (an acknowledgement is not news
 * to them).
 */
import { TICKET_CHANNEL_TYPES } from "../../db/schema/alert-channel.ts";
import { type Logger, silentLogger } from "../../log.ts";
import { DeliveryError } from "../delivery-error.ts";
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from "../dispatcher.ts";
import type { AlertStore } from "../store.ts";
import { deliverTicketChange, type TicketChannelConfig } from "./channel.ts";
import type { TicketEvent } from "./event.ts";

export interface TicketDispatchOptions {
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  random?: () => number;
  fetch?: typeof fetch;
}

const isTicketConfig = (config: { type: string }): config is TicketChannelConfig =>
  (TICKET_CHANNEL_TYPES as readonly string[]).includes(config.type);

/** Returns how many channels took the change. */
export async function dispatchTicketChange(
  event: TicketEvent,
  alertId: number,
  store: Pick<AlertStore, "channels" | "deliveries">,
  options: TicketDispatchOptions = {},
): Promise<number> {
  const logger = options.logger ?? silentLogger;
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  let channels: Awaited<ReturnType<AlertStore["channels"]["listEnabled"]>>;
  try {
    channels = (await store.channels.listEnabled(event.tenantId)).filter((c) => isTicketConfig(c.config));
  } catch (error) {
    logger("error", "ticket change not sent: could not list channels", { alertId, error: String(error) });
    return 0;
  }
  const outcomes = await Promise.all(
    channels.map(async (channel) => {
      const config = channel.config as TicketChannelConfig;
      for (let attempt = 1; attempt <= policy.attempts; attempt++) {
        const startedAt = new Date();
        const started = performance.now();
        let error: DeliveryError | undefined;
        try {
          await deliverTicketChange(event, config, {
            signal: AbortSignal.timeout(policy.timeoutMs),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          });
        } catch (caught) {
          error =
            caught instanceof DeliveryError
              ? caught
              : new DeliveryError(config.type, `${config.type}: ${String(caught)}`, { retryable: true });
        }
        const last = !error || attempt === policy.attempts || !error.retryable;
        await store.deliveries
          .record({
            alertId,
            channelId: channel.id,
            channelType: config.type,
            attempt,
            status: error ? (last ? "failed" : "retrying") : "delivered",
            httpStatus: error?.httpStatus ?? null,
            error: error ? `${event.transition}: ${error.message}` : null,
            timedOut: error?.timedOut ?? false,
            startedAt,
            durationMs: Math.round(performance.now() - started),
          })
          .catch((recordError) =>
            logger("error", "could not record ticket change attempt", {
              alertId,
              error: String(recordError),
            }),
          );
        if (!error) return true;
        if (last) {
          logger("warn", "ticket change failed", { alertId, channelId: channel.id, error: error.message });
          return false;
        }
        const delay = backoffDelay(attempt, policy, options.random ?? Math.random, error.retryAfterMs);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      return false;
    }),
  );
  return outcomes.filter(Boolean).length;
}
