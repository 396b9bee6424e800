/**
 * @module
 * The `incidents` rows as `alerts/record.ts`, the calm-period sweep and the API change them, each
 * inside the caller's transaction. The active incident is read `FOR UPDATE`, so a finding, an
 * acknowledgement and a resolve of the same incident take turns.
 */
import { and, eq, ne, sql } from "drizzle-orm";
import type { Executor, Tx } from "../db/database.ts";
import type { AlertSeverity } from "../db/schema/alert.ts";
import { type IncidentHistoryEntry, incidents } from "../db/schema/incident.ts";
import type { IncidentState } from "./severity.ts";
import type { IncidentRow } from "./snapshot.ts";

/** The stream's open or acknowledged incident, locked; undefined when none is. */
export async function activeIncident(tx: Tx, streamId: number): Promise<IncidentRow | undefined> {
  const [row] = await tx
    .select()
    .from(incidents)
    .where(and(eq(incidents.streamId, streamId), ne(incidents.status, "resolved")))
    .for("update");
  return row;
}

export async function insertIncident(
  tx: Tx,
  input: {
    tenantId: number;
    streamId: number;
    state: IncidentState;
    now: Date;
    impact: { deltaAuc: number; error: number } | null;
  },
): Promise<number> {
  const [row] = await tx
    .insert(incidents)
    .values({
      tenantId: input.tenantId,
      streamId: input.streamId,
      ...columnsOf(input.state),
      impact: input.impact,
      openedAt: input.now,
      lastFindingAt: input.now,
    })
    .returning({ id: incidents.id });
  return Number(row?.id);
}

/** Writes the state after new findings and appends their history; returns the row. */
export async function updateIncident(
  tx: Tx,
  id: number,
  input: {
    state: IncidentState;
    now: Date;
    impact: { deltaAuc: number; error: number } | null;
    history: IncidentHistoryEntry[];
  },
): Promise<IncidentRow> {
  const [row] = await tx
    .update(incidents)
    .set({
      ...columnsOf(input.state),
      impact: input.impact,
      lastFindingAt: input.now,
      history: sql`${incidents.history} || ${JSON.stringify(input.history)}::jsonb`,
    })
    .where(eq(incidents.id, id))
    .returning();
  return row as IncidentRow;
}

/** Resolves an active incident (by `calm` or a person); returns the resolved row. */
export async function resolveIncidentRow(
  tx: Executor,
  row: IncidentRow,
  input: { by: string; at: Date; note?: string },
): Promise<IncidentRow> {
  const entry = historyEntry("resolved", row.severity, input);
  const [resolved] = await tx
    .update(incidents)
    .set({
      status: "resolved",
      resolvedAt: input.at,
      resolvedBy: input.by,
      history: sql`${incidents.history} || ${JSON.stringify([entry])}::jsonb`,
    })
    .where(eq(incidents.id, row.id))
    .returning();
  return resolved as IncidentRow;
}

export function historyEntry(
  kind: IncidentHistoryEntry["kind"],
  severity: AlertSeverity,
  input: { by?: string; at: Date; note?: string },
): IncidentHistoryEntry {
  return {
    at: input.at.toISOString(),
    kind,
    severity,
    ...(input.by === undefined ? {} : { by: input.by }),
    ...(input.note === undefined ? {} : { note: input.note }),
  };
}

function columnsOf(state: IncidentState) {
  return {
    severity: state.severity,
    notifiedSeverity: state.notifiedSeverity,
    category: state.category,
    detectors: state.detectors,
    findingCount: state.findingCount,
    windowFrom: state.windowFrom,
    windowTo: state.windowTo,
  };
}
