/**
 * @module
 * Alerting: what the detectors, the routes and the CLI import. Each channel lives in its own
 * folder (`webhook/`, `slack/`, `pagerduty/`, `email/`, `webpush/`) with one `deliver`; the
 * dispatcher fans an alert out to a tenant's enabled channels; `rules.ts` decides whether an
 * alert is sent at all.
 */
export {
  type ChannelConfig,
  type ChannelConfigInput,
  channelConfigSchema,
  createChannelSchema,
  PAGERDUTY_EVENTS_URL,
  pushSubscriptionSchema,
  redactChannelConfig,
} from "./config.ts";
export { type ChannelType, DeliveryError } from "./delivery-error.ts";
export {
  type ChannelOutcome,
  DEFAULT_RETRY_POLICY,
  type DispatchOptions,
  type DispatchSummary,
  dispatchAlert,
  type RetryPolicy,
} from "./dispatcher.ts";
export { createDrizzleAlertStore } from "./drizzle-store.ts";
export {
  applyCooldown,
  type CooldownDecision,
  type CooldownState,
  consecutive,
  psiPersists,
} from "./rules.ts";
export type * from "./store.ts";
export { type AlertEvent, type AlertNumbers, dashboardUrl } from "./types.ts";
export { addSubscription, ensureVapidKeys } from "./webpush/index.ts";
