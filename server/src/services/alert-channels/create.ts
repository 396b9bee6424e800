import { randomBytes } from "node:crypto";
import type { ChannelConfig } from "../../alerts/config.ts";
import { sealChannelConfig } from "../../alerts/sealed.ts";
import type { Db } from "../../db/database.ts";
import { alertChannels } from "../../db/schema/alert-channel.ts";
import { FacedriftError, sqlState } from "../../errors.ts";
import { recordAudit } from "../audit/record.ts";
import { type AlertChannelView, channelColumns, toChannelView } from "./view.ts";

export interface NewAlertChannel {
  tenantId: number;
  actor: string;
  /** Unique per tenant; defaults to `<type>-<6 hex>`. */
  name?: string;
  enabled?: boolean;
  /** Validated already (`channelConfigSchema`), defaults applied. */
  config: ChannelConfig;
}

/** Stores a channel and an audit row (type and name only: the config holds secrets). */
export async function createAlertChannel(db: Db, input: NewAlertChannel): Promise<AlertChannelView> {
  const name = input.name ?? `${input.config.type}-${randomBytes(3).toString("hex")}`;
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(alertChannels)
        .values({
          tenantId: input.tenantId,
          name,
          type: input.config.type,
          enabled: input.enabled ?? true,
          config: sealChannelConfig(input.config, input.tenantId),
        })
        .returning(channelColumns);
      if (!row) throw new Error("INSERT … RETURNING returned no row");
      await recordAudit(tx, {
        tenantId: input.tenantId,
        actor: input.actor,
        action: "alert_channel.create",
        target: `alert_channel:${row.id}`,
        details: { type: input.config.type, name },
      });
      return toChannelView(row);
    });
  } catch (error) {
    if (sqlState(error) === "23505") {
      throw new FacedriftError("conflict", `an alert channel named "${name}" already exists`, {
        field: "name",
      });
    }
    throw error;
  }
}
