/**
 * @module
 * Run at start (`facedrift serve`, `facedrift replica`): with `FACEDRIFT_SECRET_KEY` set, seal the
 * channel configs and VAPID private key stored before it was, in one transaction; with or
 * without it, open every sealed one, so a missing or changed key stops the start with a clear
 * message instead of silently failing each alert later.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { alertChannels } from "../db/schema/alert-channel.ts";
import { vapidKeys } from "../db/schema/vapid-key.ts";
import { isSealed, open, openChannelConfig, seal, sealChannelConfig, VAPID_CONTEXT } from "./sealed.ts";

export interface SealReport {
  /** Secrets sealed by this call (stored in clear before the key was set). */
  sealed: number;
  /** Sealed secrets that opened with the key. */
  opened: number;
  /** Secrets left in clear: no key is set. */
  clear: number;
}

export async function sealStoredSecrets(db: Db, key: Buffer | null): Promise<SealReport> {
  return db.transaction(async (tx) => {
    const report: SealReport = { sealed: 0, opened: 0, clear: 0 };
    const channels = await tx
      .select({ id: alertChannels.id, tenantId: alertChannels.tenantId, config: alertChannels.config })
      .from(alertChannels);
    for (const channel of channels) {
      const tenantId = Number(channel.tenantId);
      if (isSealed((channel.config as { sealed?: unknown }).sealed)) {
        openChannelConfig(channel.config, tenantId, key);
        report.opened++;
      } else if (key) {
        const config = sealChannelConfig(channel.config, tenantId, key);
        await tx.update(alertChannels).set({ config }).where(eq(alertChannels.id, channel.id));
        report.sealed++;
      } else report.clear++;
    }
    const [vapid] = await tx
      .select({ privateKey: vapidKeys.privateKey })
      .from(vapidKeys)
      .where(eq(vapidKeys.id, 1));
    if (vapid && isSealed(vapid.privateKey)) {
      open(vapid.privateKey, key, VAPID_CONTEXT);
      report.opened++;
    } else if (vapid && key) {
      await tx
        .update(vapidKeys)
        .set({ privateKey: seal(vapid.privateKey, key, VAPID_CONTEXT) })
        .where(eq(vapidKeys.id, 1));
      report.sealed++;
    } else if (vapid) report.clear++;
    return report;
  });
}
