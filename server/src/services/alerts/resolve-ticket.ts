/**
 * @module
 * Acknowledging a drift run's alert resolves the run's ticket (GitHub, Jira): a comment saying who
 * acknowledged it, with the note, then the issue is closed. Until incidents exist (issue 13) this
 * is how a ticket ends; an incident's resolution will take its place.
 */
import { and, eq } from "drizzle-orm";
import { createDrizzleAlertStore } from "../../alerts/drizzle-store.ts";
import { dispatchTicketChange, type TicketDispatchOptions } from "../../alerts/tickets/dispatch.ts";
import { resolvedByAcknowledgement } from "../../alerts/tickets/from-alert.ts";
import { dashboardUrl } from "../../alerts/types.ts";
import type { Executor } from "../../db/database.ts";
import { alerts } from "../../db/schema/alert.ts";
import { streams } from "../../db/schema/stream.ts";

/** Returns how many ticket channels took the resolution (0 when the alert is not a drift run's). */
export async function resolveTicketOfAcknowledged(
  db: Executor,
  input: { tenantId: number; alertId: number; dashboardBaseUrl: string },
  options: TicketDispatchOptions = {},
): Promise<number> {
  const [row] = await db
    .select({
      detector: alerts.detector,
      severity: alerts.severity,
      createdAt: alerts.createdAt,
      payload: alerts.payload,
      stream: streams.name,
    })
    .from(alerts)
    .innerJoin(streams, eq(streams.id, alerts.streamId))
    .where(and(eq(alerts.id, input.alertId), eq(alerts.tenantId, input.tenantId)));
  const payload = (row?.payload ?? {}) as {
    title?: string;
    runId?: number;
    sent?: boolean;
    window?: { from: string; to: string };
    acknowledgement?: { by: string; note: string | null };
  };
  // Only a drift run's alert that was sent opened a ticket.
  if (!row || row.detector !== "batch" || payload.runId === undefined || payload.sent === false) return 0;
  const window = payload.window
    ? { from: new Date(payload.window.from), to: new Date(payload.window.to) }
    : { from: row.createdAt, to: row.createdAt };
  const alert = {
    id: input.alertId,
    tenantId: input.tenantId,
    stream: row.stream,
    detector: row.detector,
    severity: row.severity,
    createdAt: row.createdAt,
    title: payload.title ?? `Drift on ${row.stream}`,
    window,
    runId: Number(payload.runId),
  };
  const event = resolvedByAcknowledgement(
    { ...alert, dashboardUrl: dashboardUrl(input.dashboardBaseUrl, alert) },
    payload.acknowledgement ?? { by: "someone", note: null },
  );
  return dispatchTicketChange(event, input.alertId, createDrizzleAlertStore(db), options);
}
