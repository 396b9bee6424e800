/**
 * @module
 * Ticket changes from today's alerts, until incidents exist (issue 13): a ticket follows one
 * confirmed drift run, `drift-run-<runId>`.
 *
 * - The run's `batch` alert opens it.
 * - A `verification` alert of the job that drift queued (`verifyOnDrift`: does the drift cost
 *   accuracy?) escalates it: the measured AUC fell below the minimum.
 * - Acknowledging the `batch` alert in Facedrift resolves it (`resolvedByAcknowledgement`).
 *
 * Streaming alerts open no ticket: they are the early, noisier signal that the batch check
 * confirms or not. An incident's notification maps on directly: `incident-<id>`, its transition.
 */
import type { AlertEvent, AlertSeverity } from "../types.ts";
import { changeKey, type TicketEvent, worse } from "./event.ts";

/** What the mapping reads from storage (`drizzle-lookup.ts`). */
export interface TicketLookup {
  /** The drift run a batch alert was raised for. */
  runOfBatchAlert(alertId: number): Promise<number | null>;
  /** For a verification alert: the drift run whose job it came from, and that run's alert severity. */
  driftOfVerificationAlert(alertId: number): Promise<{ runId: number; severity: AlertSeverity } | null>;
}

export const driftRunTicketKey = (runId: number) => `drift-run-${runId}`;

export async function ticketEventFromAlert(
  alert: AlertEvent,
  lookup: TicketLookup | undefined,
): Promise<TicketEvent | { skip: string }> {
  if (alert.detector === "stream") return { skip: "no ticket change: streaming alerts open no ticket" };
  if (!lookup) return { skip: "no ticket change: nothing to find the drift run with" };
  const base = {
    tenantId: alert.tenantId,
    stream: alert.stream,
    summary: alert.title,
    numbers: alert.numbers,
    window: alert.window,
    dashboardUrl: alert.dashboardUrl,
    at: alert.createdAt,
  };
  if (alert.detector === "batch") {
    const runId = await lookup.runOfBatchAlert(alert.id);
    if (runId === null) return { skip: `no ticket change: alert ${alert.id} names no drift run` };
    const key = driftRunTicketKey(runId);
    return {
      ...base,
      key,
      transition: "opened",
      changeKey: changeKey(key, "opened", alert.severity),
      severity: alert.severity,
      previousSeverity: null,
      title: alert.title,
    };
  }
  const drift = await lookup.driftOfVerificationAlert(alert.id);
  if (!drift) return { skip: "no ticket change: this verification was not queued by a drift" };
  const key = driftRunTicketKey(drift.runId);
  const severity = worse(drift.severity, alert.severity);
  return {
    ...base,
    key,
    transition: "escalated",
    changeKey: changeKey(key, "escalated", severity),
    severity,
    previousSeverity: drift.severity,
    title: alert.title,
  };
}

/** The change acknowledging a drift run's batch alert makes: the run's ticket is resolved. */
export function resolvedByAcknowledgement(
  alert: Omit<AlertEvent, "numbers"> & { runId: number },
  acknowledgement: { by: string; note: string | null },
): TicketEvent {
  const key = driftRunTicketKey(alert.runId);
  const note = acknowledgement.note ? `: ${acknowledgement.note}` : "";
  return {
    key,
    transition: "resolved",
    changeKey: changeKey(key, "resolved", alert.severity),
    tenantId: alert.tenantId,
    stream: alert.stream,
    severity: alert.severity,
    previousSeverity: null,
    title: alert.title,
    summary: `acknowledged in Facedrift by ${acknowledgement.by}${note}`,
    numbers: {},
    window: alert.window,
    dashboardUrl: alert.dashboardUrl,
    at: new Date(),
  };
}
