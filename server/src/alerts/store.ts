/**
 * @module
 * What the alert channels need from storage, as interfaces. The drizzle implementation lives with
 * the schema (the tables live in `db/schema/alert-*.ts`, `push-subscription.ts`, `vapid-key.ts`); the dispatcher and the channels
 * take these as parameters, so they never import the database.
 */
import type { ChannelConfig } from "./config.ts";
import type { ChannelType } from "./delivery-error.ts";

/** A configured channel (`alert_channels` row). */
export interface AlertChannel {
  id: number;
  tenantId: number;
  name: string;
  enabled: boolean;
  config: ChannelConfig;
}

export interface AlertChannelStore {
  /** The tenant's channels with `enabled = true`, in a stable order (by id). */
  listEnabled(tenantId: number): Promise<AlertChannel[]>;
}

/**
 * One attempt's outcome. `retrying`: it failed and another attempt follows; `failed`: it failed and
 * none follows (not retryable, or the last attempt).
 */
export type { DeliveryStatus } from "../db/schema/alert-delivery.ts";

import type { DeliveryStatus } from "../db/schema/alert-delivery.ts";
import type { IncidentTransition } from "../db/schema/incident.ts";
import type { PublicIds } from "../ids/public-ids.ts";

/** One row of `alert_deliveries`: every attempt is recorded, successful or not. */
export interface DeliveryAttempt {
  /** The finding that opened or escalated the incident; null for a resolve or a channel test. */
  alertId: number | null;
  /** Null only for a channel test, which belongs to no incident. */
  incidentId: number | null;
  transition: IncidentTransition | null;
  channelId: number;
  channelType: ChannelType;
  /** 1-based. */
  attempt: number;
  status: DeliveryStatus;
  /** The peer's HTTP status, when there was one. */
  httpStatus: number | null;
  /** The error message; null when delivered. */
  error: string | null;
  timedOut: boolean;
  startedAt: Date;
  durationMs: number;
}

export interface AlertDeliveryLog {
  record(attempt: DeliveryAttempt): Promise<void>;
}

/** A VAPID key pair, base64url as web-push produces them (65-byte public, 32-byte private). */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * One key pair for the whole deployment: browsers subscribe with its public key, so replacing it
 * orphans every subscription.
 */
export interface VapidKeyStore {
  get(): Promise<VapidKeys | undefined>;
  /**
   * Stores `keys` unless a pair exists, and returns the pair that is stored: two servers starting
   * at once must agree on one (`INSERT … ON CONFLICT DO NOTHING`, then `SELECT`).
   */
  insertIfAbsent(keys: VapidKeys): Promise<VapidKeys>;
}

/** A browser's push subscription (`PushSubscription.toJSON()`). */
export interface PushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushSubscriptionStore {
  /** Upsert by endpoint: a browser re-subscribing replaces its keys. */
  add(tenantId: number, subscription: PushSubscription): Promise<void>;
  /** Returns whether a subscription was removed. */
  remove(tenantId: number, endpoint: string): Promise<boolean>;
  list(tenantId: number): Promise<PushSubscription[]>;
}

/** Everything the dispatcher needs, in one parameter. */
export interface AlertStore {
  channels: AlertChannelStore;
  deliveries: AlertDeliveryLog;
  vapidKeys: VapidKeyStore;
  pushSubscriptions: PushSubscriptionStore;
  /**
   * The database's public ids (`ids/public-ids.ts`): what channels are told instead of row ids,
   * so a notification names the incident as the API and the dashboard do. Absent (in-memory test
   * stores only), channels get row ids.
   */
  publicIds?: () => Promise<PublicIds>;
}
