import { type ChannelConfig, channelConfigSchema, redactChannelConfig } from "../../alerts/config.ts";
import { openChannelConfig } from "../../alerts/sealed.ts";
import { alertChannels } from "../../db/schema/alert-channel.ts";

export interface AlertChannelView {
  id: number;
  name: string;
  type: ChannelConfig["type"];
  enabled: boolean;
  /** Secrets masked (`redactChannelConfig`). */
  config: ChannelConfig;
  createdAt: string;
}

export const channelColumns = {
  id: alertChannels.id,
  tenantId: alertChannels.tenantId,
  name: alertChannels.name,
  type: alertChannels.type,
  enabled: alertChannels.enabled,
  config: alertChannels.config,
  createdAt: alertChannels.createdAt,
};

export function toChannelView(row: {
  id: number;
  tenantId: number;
  name: string;
  type: ChannelConfig["type"];
  enabled: boolean;
  config: unknown;
  createdAt: Date;
}): AlertChannelView {
  return {
    id: Number(row.id),
    name: row.name,
    type: row.type,
    enabled: row.enabled,
    config: redactChannelConfig(
      channelConfigSchema.parse(openChannelConfig(row.config, Number(row.tenantId))),
    ),
    createdAt: row.createdAt.toISOString(),
  };
}
