import { setEgressPolicy, setPushEgressPolicy } from "../alerts/egress.ts";
import { setSecretKey } from "../alerts/sealed.ts";
import { setComputeThreads } from "../compute/pool.ts";
import type { Config } from "./config.ts";

/**
 * The settings that hold for the whole process rather than one request: where alert channels may
 * connect and the key that seals their secrets. Alerts are dispatched from many places (batch
 * runs, the streaming worker, verification jobs) that do not carry the config, so they read these.
 * Applied where a process reads its config: `cli/options.ts` and `createApp`.
 */
export function applyProcessSettings(
  config: Pick<Config, "channelEgress" | "secretKey"> &
    Partial<Pick<Config, "pushEgress" | "computeThreads">>,
): void {
  if (config.computeThreads !== undefined) setComputeThreads(config.computeThreads);
  setEgressPolicy(config.channelEgress);
  setPushEgressPolicy(config.pushEgress ?? "public");
  setSecretKey(config.secretKey ?? null);
}
