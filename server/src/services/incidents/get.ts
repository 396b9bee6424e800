/**
 * @module
 * One incident with its timeline: its own history (opened, escalated, acknowledged, resolved),
 * its findings (the `alerts` rows attached to it) and what the channels were sent. The findings
 * are the latest `MAX_FINDINGS` (an episode that lasts weeks collects an MMD window finding per
 * 500 embeddings); `findingCount` says how many there are.
 */
import { and, asc, desc, eq } from "drizzle-orm";
import type { Executor } from "../../db/database.ts";
import { alerts } from "../../db/schema/alert.ts";
import type { ChannelType } from "../../db/schema/alert-channel.ts";
import { alertDeliveries, type DeliveryStatus } from "../../db/schema/alert-delivery.ts";
import { type IncidentHistoryEntry, type IncidentTransition, incidents } from "../../db/schema/incident.ts";
import { streams } from "../../db/schema/stream.ts";
import { FacedriftError } from "../../errors.ts";
import { howBad } from "../../incidents/how-bad.ts";
import { type AlertView, alertViewColumns, toAlertView } from "../alerts/view.ts";
import { type IncidentView, incidentColumns, toIncidentView } from "./view.ts";

export const MAX_FINDINGS = 500;

/** One channel's outcome for one notified transition: its last attempt. */
export interface IncidentNotificationView {
  transition: IncidentTransition;
  channelId: number | null;
  channelType: ChannelType;
  status: DeliveryStatus;
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  at: string;
}

export interface IncidentDetail extends IncidentView {
  /** How bad, in words and numbers, from its findings (`incidents/how-bad.ts`). */
  howBad: string[];
  history: IncidentHistoryEntry[];
  /** Oldest first. */
  findings: AlertView[];
  notifications: IncidentNotificationView[];
}

export async function getIncident(db: Executor, tenantId: number, id: number): Promise<IncidentDetail> {
  const [row] = await db
    .select(incidentColumns)
    .from(incidents)
    .innerJoin(streams, eq(streams.id, incidents.streamId))
    .where(and(eq(incidents.id, id), eq(incidents.tenantId, tenantId)));
  if (!row) throw new FacedriftError("not_found", "no such incident", { field: "id" });
  const findings = await db
    .select(alertViewColumns)
    .from(alerts)
    .innerJoin(streams, eq(streams.id, alerts.streamId))
    .where(eq(alerts.incidentId, id))
    .orderBy(desc(alerts.id))
    .limit(MAX_FINDINGS);
  const attempts = await db
    .select()
    .from(alertDeliveries)
    .where(eq(alertDeliveries.incidentId, id))
    .orderBy(asc(alertDeliveries.id));
  // The last attempt per transition and channel is its outcome.
  const outcomes = new Map<string, IncidentNotificationView>();
  for (const attempt of attempts) {
    const key = `${attempt.transition}/${attempt.channelId ?? `deleted-${attempt.channelType}`}`;
    outcomes.set(key, {
      transition: attempt.transition as IncidentTransition,
      channelId: attempt.channelId === null ? null : Number(attempt.channelId),
      channelType: attempt.channelType,
      status: attempt.status,
      attempts: attempt.attempt,
      httpStatus: attempt.httpStatus,
      error: attempt.error,
      at: attempt.startedAt.toISOString(),
    });
  }
  const views = findings.reverse().map(toAlertView);
  return {
    ...toIncidentView(row),
    howBad: howBad(views),
    history: row.incident.history,
    findings: views,
    notifications: [...outcomes.values()],
  };
}
