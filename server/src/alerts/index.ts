/**
 * @module
 * Alerting: what the detectors, the routes and the CLI import. Each channel lives in its own
 * folder (`webhook/`, `slack/`, `pagerduty/`, `email/`, `webpush/`) with one `deliver`; the
 * dispatcher fans an incident notification out to a tenant's enabled channels; which findings
 * notify at all is decided by the incident they attach to (`record.ts`, `incidents/`); `rules.ts`
 * holds the batch detector's persistence conditions.
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
  dispatchNotification,
  type RetryPolicy,
} from "./dispatcher.ts";
export { createDrizzleAlertStore } from "./drizzle-store.ts";
export { consecutive, psiPersists } from "./rules.ts";
export type * from "./store.ts";
export {
  type AlertEvent,
  type AlertNumbers,
  dashboardUrl,
  type IncidentNotification,
  type IncidentSnapshot,
  incidentDashboardUrl,
} from "./types.ts";
export { addSubscription, ensureVapidKeys } from "./webpush/index.ts";
