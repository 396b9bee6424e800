import { and, asc, eq } from "drizzle-orm";
import { channelConfigSchema } from "../../alerts/config.ts";
import type { AlertChannel } from "../../alerts/store.ts";
import type { Executor } from "../../db/database.ts";
import { alertChannels } from "../../db/schema/alert-channel.ts";
import { FacedriftError } from "../../errors.ts";
import { type AlertChannelView, channelColumns, toChannelView } from "./view.ts";

/** The tenant's channels, secrets masked, by id. */
export async function listAlertChannels(db: Executor, tenantId: number): Promise<AlertChannelView[]> {
  const rows = await db
    .select(channelColumns)
    .from(alertChannels)
    .where(eq(alertChannels.tenantId, tenantId))
    .orderBy(asc(alertChannels.id));
  return rows.map(toChannelView);
}

/** One of the tenant's channels with its secrets, for sending; another tenant's is 404. */
export async function getAlertChannel(db: Executor, tenantId: number, id: number): Promise<AlertChannel> {
  const [row] = await db
    .select(channelColumns)
    .from(alertChannels)
    .where(and(eq(alertChannels.id, id), eq(alertChannels.tenantId, tenantId)));
  if (!row) throw new FacedriftError("not_found", "no such alert channel", { field: "id" });
  return {
    id: Number(row.id),
    tenantId: Number(row.tenantId),
    name: row.name,
    enabled: row.enabled,
    config: channelConfigSchema.parse(row.config),
  };
}
