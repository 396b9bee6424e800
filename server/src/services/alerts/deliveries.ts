import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { alerts } from "../../db/schema/alert.ts";
import type { ChannelType } from "../../db/schema/alert-channel.ts";
import { alertDeliveries, type DeliveryStatus } from "../../db/schema/alert-delivery.ts";
import { FacedriftError } from "../../errors.ts";

export interface DeliveryView {
  id: number;
  channelId: number | null;
  channelType: ChannelType;
  attempt: number;
  status: DeliveryStatus;
  httpStatus: number | null;
  error: string | null;
  timedOut: boolean;
  startedAt: string;
  durationMs: number;
}

/** Every delivery attempt of one of the tenant's alerts, in the order they were made. */
export async function listDeliveries(
  db: Executor,
  tenantId: number,
  alertId: number,
): Promise<DeliveryView[]> {
  const [alert] = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(and(eq(alerts.id, alertId), eq(alerts.tenantId, tenantId)));
  if (!alert) throw new FacedriftError("not_found", "no such alert", { field: "id" });
  const rows = await db
    .select()
    .from(alertDeliveries)
    .where(eq(alertDeliveries.alertId, alertId))
    .orderBy(asc(alertDeliveries.id));
  return rows.map((row) => ({
    id: Number(row.id),
    channelId: row.channelId === null ? null : Number(row.channelId),
    channelType: row.channelType,
    attempt: row.attempt,
    status: row.status,
    httpStatus: row.httpStatus,
    error: row.error,
    timedOut: row.timedOut,
    startedAt: row.startedAt.toISOString(),
    durationMs: row.durationMs,
  }));
}
