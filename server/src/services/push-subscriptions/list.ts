import { asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { pushSubscriptions } from "../../db/schema/push-subscription.ts";

/** A subscribed browser as the dashboard lists it: never its keys. */
export interface PushSubscriptionView {
  endpoint: string;
  /** The push service's host (`fcm.googleapis.com`, `updates.push.services.mozilla.com`, …). */
  service: string;
  createdAt: string;
}

/** The tenant's subscribed browsers, oldest first. */
export async function listPushSubscriptions(db: Executor, tenantId: number): Promise<PushSubscriptionView[]> {
  const rows = await db
    .select({ endpoint: pushSubscriptions.endpoint, createdAt: pushSubscriptions.createdAt })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.tenantId, tenantId))
    .orderBy(asc(pushSubscriptions.id));
  return rows.map((row) => ({
    endpoint: row.endpoint,
    service: new URL(row.endpoint).host,
    createdAt: row.createdAt.toISOString(),
  }));
}
