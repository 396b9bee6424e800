import { type DispatchOptions, dispatchAlert } from "../../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../../alerts/drizzle-store.ts";
import { DeliveryError } from "../../alerts/delivery-error.ts";
import type { DeliveryAttempt } from "../../alerts/store.ts";
import { probeTracker } from "../../alerts/tickets/channel.ts";
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
 * a test alert has no `alerts` row, so its attempt is returned instead of logged. A ticket channel
 * (GitHub, Jira) opens no test ticket: its credentials and repository or project are checked.
 */
export async function testAlertChannel(
  db: Executor,
  input: { tenantId: number; id: number; baseUrl: string; now?: Date },
  options: Pick<DispatchOptions, "fetch" | "signal"> = {},
): Promise<ChannelTestResult> {
  const channel = await getAlertChannel(db, input.tenantId, input.id);
  if (channel.config.type === "github" || channel.config.type === "jira") {
    const started = performance.now();
    try {
      await probeTracker(channel.config, { ...options, signal: options.signal ?? AbortSignal.timeout(10_000) });
      return { delivered: true, attempts: 1, httpStatus: 200, error: null, durationMs: elapsed(started) };
    } catch (error) {
      return {
        delivered: false,
        attempts: 1,
        httpStatus: error instanceof DeliveryError ? (error.httpStatus ?? null) : null,
        error: error instanceof Error ? error.message : String(error),
        durationMs: elapsed(started),
      };
    }
  }
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

const elapsed = (started: number) => Math.round(performance.now() - started);
