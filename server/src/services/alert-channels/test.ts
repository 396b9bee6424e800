import { type DispatchOptions, dispatchNotification } from "../../alerts/dispatcher.ts";
import { createDrizzleAlertStore } from "../../alerts/drizzle-store.ts";
import type { DeliveryAttempt } from "../../alerts/store.ts";
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
 * instead of logged.
 */
export async function testAlertChannel(
  db: Executor,
  input: { tenantId: number; id: number; baseUrl: string; now?: Date },
  options: Pick<DispatchOptions, "fetch" | "signal"> = {},
): Promise<ChannelTestResult> {
  const channel = await getAlertChannel(db, input.tenantId, input.id);
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
