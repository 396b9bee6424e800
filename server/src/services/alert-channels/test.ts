import { type DispatchOptions, dispatchAlert } from "../../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../../alerts/drizzle-store.ts";
import type { DeliveryAttempt } from "../../alerts/store.ts";
import { type AlertEvent, dashboardUrl } from "../../alerts/types.ts";
import type { Executor } from "../../db/database.ts";
import { getAlertChannel } from "./list.ts";

export interface ChannelTestResult {
  delivered: boolean;
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * Sends a clearly labelled test alert through one channel (enabled or not), once, with the real
 * `dispatchAlert` path: same formatting, signing and timeout as a real alert. Nothing is stored:
 * a test alert has no `alerts` row, so its attempt is returned instead of logged.
 */
export async function testAlertChannel(
  db: Executor,
  input: { tenantId: number; id: number; baseUrl: string; now?: Date },
  options: Pick<DispatchOptions, "fetch" | "signal"> = {},
): Promise<ChannelTestResult> {
  const channel = await getAlertChannel(db, input.tenantId, input.id);
  const now = input.now ?? new Date();
  const base = {
    id: 0,
    tenantId: input.tenantId,
    stream: "facedrift-test",
    detector: "stream" as const,
    severity: "info" as const,
    createdAt: now,
    title: `Test alert for channel "${channel.name}"`,
    numbers: {},
    window: { from: new Date(now.getTime() - 3_600_000), to: now },
  };
  const alert: AlertEvent = { ...base, dashboardUrl: dashboardUrl(input.baseUrl, base) };
  const stored = createDrizzleAlertStore(db);
  const attempts: DeliveryAttempt[] = [];
  await dispatchAlert(
    alert,
    {
      channels: { listEnabled: async () => [channel] },
      deliveries: { record: async (attempt) => void attempts.push(attempt) },
      vapidKeys: stored.vapidKeys,
      pushSubscriptions: stored.pushSubscriptions,
    },
    { ...options, retry: { attempts: 1, timeoutMs: 10_000 } },
  );
  const last = attempts.at(-1);
  return {
    delivered: last?.status === "delivered",
    attempts: attempts.length,
    httpStatus: last?.httpStatus ?? null,
    error: last?.error ?? null,
    durationMs: last?.durationMs ?? 0,
  };
}
