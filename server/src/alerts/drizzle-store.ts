/**
 * @module
 * The stores of `store.ts` over drizzle, on the tables in `db/schema/`. Works on
 * both drivers (PGlite, postgres.js).
 */
import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../db/database.ts";
import { alertChannels } from "../db/schema/alert-channel.ts";
import { alertDeliveries } from "../db/schema/alert-delivery.ts";
import { pushSubscriptions } from "../db/schema/push-subscription.ts";
import { vapidKeys } from "../db/schema/vapid-key.ts";
import { publicIdsOf } from "../ids/public-ids.ts";
import { channelConfigSchema } from "./config.ts";
import { isSealed, open, openChannelConfig, seal, secretKey, VAPID_CONTEXT } from "./sealed.ts";
import type { AlertStore, PushSubscription, VapidKeys } from "./store.ts";

export function createDrizzleAlertStore(db: Executor): AlertStore {
  return {
    publicIds: () => publicIdsOf(db),
    channels: {
      listEnabled: async (tenantId) => {
        const rows = await db
          .select({
            id: alertChannels.id,
            tenantId: alertChannels.tenantId,
            name: alertChannels.name,
            enabled: alertChannels.enabled,
            config: alertChannels.config,
          })
          .from(alertChannels)
          .where(and(eq(alertChannels.tenantId, tenantId), eq(alertChannels.enabled, true)))
          .orderBy(asc(alertChannels.id));
        // Configs were validated on insert; parsing again types them and catches a hand-edited row.
        return rows.map((row) => ({
          ...row,
          config: channelConfigSchema.parse(openChannelConfig(row.config, Number(row.tenantId))),
        }));
      },
    },

    deliveries: {
      record: async (attempt) => {
        await db.insert(alertDeliveries).values(attempt);
      },
    },

    vapidKeys: {
      get: () => readVapidKeys(db),
      insertIfAbsent: async (keys: VapidKeys) => {
        const key = secretKey();
        const privateKey = key ? seal(keys.privateKey, key, VAPID_CONTEXT) : keys.privateKey;
        await db
          .insert(vapidKeys)
          .values({ id: 1, publicKey: keys.publicKey, privateKey })
          .onConflictDoNothing({ target: vapidKeys.id });
        // Whoever inserted first won; everyone reads their pair.
        return (await readVapidKeys(db)) as VapidKeys;
      },
    },

    pushSubscriptions: {
      add: async (tenantId, subscription: PushSubscription) => {
        const { endpoint, keys } = subscription;
        await db
          .insert(pushSubscriptions)
          .values({ tenantId, endpoint, p256dh: keys.p256dh, auth: keys.auth })
          .onConflictDoUpdate({
            target: [pushSubscriptions.tenantId, pushSubscriptions.endpoint],
            set: { p256dh: keys.p256dh, auth: keys.auth },
          });
      },
      remove: async (tenantId, endpoint) => {
        const removed = await db
          .delete(pushSubscriptions)
          .where(and(eq(pushSubscriptions.tenantId, tenantId), eq(pushSubscriptions.endpoint, endpoint)))
          .returning({ id: pushSubscriptions.id });
        return removed.length > 0;
      },
      list: async (tenantId) => {
        const rows = await db
          .select()
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.tenantId, tenantId))
          .orderBy(asc(pushSubscriptions.id));
        return rows.map((row) => ({ endpoint: row.endpoint, keys: { p256dh: row.p256dh, auth: row.auth } }));
      },
    },
  };
}

/** The VAPID pair, its private key opened when sealed. */
async function readVapidKeys(db: Executor): Promise<VapidKeys | undefined> {
  const [row] = await db
    .select({ publicKey: vapidKeys.publicKey, privateKey: vapidKeys.privateKey })
    .from(vapidKeys)
    .where(eq(vapidKeys.id, 1));
  if (!row || !isSealed(row.privateKey)) return row;
  return { publicKey: row.publicKey, privateKey: open(row.privateKey, secretKey(), VAPID_CONTEXT) };
}
