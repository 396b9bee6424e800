import { DeliveryError } from "../../alerts/delivery-error.ts";
import { type DispatchOptions, dispatchNotification } from "../../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../../alerts/drizzle-store.ts";
import type { DeliveryAttempt } from "../../alerts/store.ts";
import { probeTracker } from "../../alerts/tickets/channel.ts";
import { dashboardUrl, type IncidentNotification, incidentDashboardUrl } from "../../alerts/types.ts";
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
 * Sends a clearly labelled test notification (an incident opened, at info) through one channel,
 * enabled or not, once, with the real `dispatchNotification` path: same formatting, signing and
 * timeout as a real one. Nothing is stored: a test has no incident, so its attempt is returned
 * instead of logged. A ticket channel (GitHub, Jira) opens no test ticket: its credentials and
 * repository or project are checked instead.
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
      await probeTracker(channel.config, {
        ...options,
        signal: options.signal ?? AbortSignal.timeout(10_000),
      });
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
  const window = { from: new Date(now.getTime() - 3_600_000), to: now };
  const base = {
    id: 0,
    tenantId: input.tenantId,
    stream: "facedrift-test",
    detector: "stream" as const,
    severity: "info" as const,
    createdAt: now,
    title: `Test notification for channel "${channel.name}"`,
    numbers: {},
    window,
  };
  const incident = {
    id: 0,
    tenantId: input.tenantId,
    stream: "facedrift-test",
    status: "open" as const,
    severity: "info" as const,
    category: null,
    title: `Test incident for channel "${channel.name}"`,
    detectors: ["test"],
    findingCount: 1,
    openedAt: now,
    resolvedAt: null,
    resolvedBy: null,
    window,
    impact: null,
  };
  const notification: IncidentNotification = {
    key: `test-${channel.id}-${now.getTime()}`,
    transition: "opened",
    previousSeverity: null,
    at: now,
    incident,
    finding: { ...base, dashboardUrl: dashboardUrl(input.baseUrl, base) },
    dashboardUrl: incidentDashboardUrl(input.baseUrl, incident),
  };
  const stored = createDrizzleAlertStore(db);
  const attempts: DeliveryAttempt[] = [];
  await dispatchNotification(
    notification,
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
