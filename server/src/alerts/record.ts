/**
 * @module
 * Recording findings, shared by every detector: inside the detector's own transaction, lock the
 * stream row (so detectors of one stream take turns), find its active incident — resolving it
 * first if it has been calm for the stream's calm period — or open one, insert one `alerts` row
 * per finding attached to it, and work out which transition channels should hear of
 * (`incidents/severity.ts`). Deciding inside the transaction means a replayed batch decides again
 * from the same state and a crash cannot lose a decision; dispatch happens after the commit.
 *
 * Within one call the transitions collapse: findings that open an incident and escalate it in the
 * same batch notify once, `opened`, at the final severity.
 */
import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.ts";
import { type AlertDetector, type AlertSeverity, alerts } from "../db/schema/alert.ts";
import type { FindingCategory, IncidentHistoryEntry } from "../db/schema/incident.ts";
import { addFinding, type IncidentState, SEVERITY_RANK } from "../incidents/severity.ts";
import { notificationOf } from "../incidents/snapshot.ts";
import { activeIncident, insertIncident, resolveIncidentRow, updateIncident } from "../incidents/store.ts";
import { incidentRulesOf } from "../services/stream-settings/settings.ts";
import {
  type AlertEvent,
  type AlertNumbers,
  dashboardUrl,
  type FindingImpact,
  type IncidentNotification,
} from "./types.ts";

export interface AlertDraft {
  severity: AlertSeverity;
  title: string;
  numbers: AlertNumbers;
  window: { from: Date; to: Date };
  /** Detector-specific fields stored with the row (run id, reference version, …). */
  details: Record<string, unknown>;
  /** The finding kind (`pc1`, `residual`, `mmd`, …); default the detector's name. */
  kind?: string;
  /** `population` findings never count above info (`incidents/severity.ts`). */
  category?: FindingCategory;
  impact?: FindingImpact;
}

export interface RecordAlertsInput {
  stream: { id: number; tenantId: number; name: string };
  detector: AlertDetector;
  dashboardBaseUrl: string;
}

export interface RecordedAlerts {
  /** The `alerts` row ids, in draft order. */
  ids: number[];
  /** The incident they attached to; null when there were no drafts. */
  incidentId: number | null;
  /** What channels should hear, in order (a calm incident's resolve comes before a new opening). */
  notifications: IncidentNotification[];
}

export async function recordAlerts(
  tx: Tx,
  input: RecordAlertsInput,
  drafts: readonly AlertDraft[],
): Promise<RecordedAlerts> {
  if (drafts.length === 0) return { ids: [], incidentId: null, notifications: [] };
  const { stream, detector } = input;
  // The transaction's clock stamps every finding; the calm period is measured on it too.
  const [locked] = await queryRows<{ settings: Record<string, unknown>; now: string }>(
    tx,
    sql`SELECT settings, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now
        FROM streams WHERE id = ${stream.id} FOR NO KEY UPDATE`,
  );
  const now = new Date(locked?.now ?? Date.now());
  const rules = incidentRulesOf(locked?.settings ?? {});
  const notifications: IncidentNotification[] = [];
  const notify = { at: now, baseUrl: input.dashboardBaseUrl };

  let row = await activeIncident(tx, stream.id);
  if (row && now.getTime() - row.lastFindingAt.getTime() >= rules.calmMs) {
    const resolved = await resolveIncidentRow(tx, row, { by: "calm", at: now });
    if (resolved.notifiedSeverity !== null) {
      notifications.push(
        notificationOf(resolved, stream.name, "resolved", {
          ...notify,
          previousSeverity: null,
          finding: null,
        }),
      );
    }
    row = undefined;
  }

  let state: IncidentState | null = row ? stateOf(row) : null;
  const told = state?.notifiedSeverity ?? null;
  let transition: "opened" | "escalated" | null = null;
  let trigger = -1;
  const rises: { index: number; severity: AlertSeverity }[] = [];
  drafts.forEach((draft, index) => {
    const before = state?.severity;
    const next = addFinding(
      state,
      {
        severity: draft.severity,
        category: draft.category ?? null,
        kind: draft.kind ?? detector,
        window: draft.window,
      },
      rules.notifyFrom,
    );
    if (before === undefined || SEVERITY_RANK[next.state.severity] > SEVERITY_RANK[before]) {
      rises.push({ index, severity: next.state.severity });
    }
    if (next.transition) {
      transition = transition === "opened" || next.transition === "opened" ? "opened" : "escalated";
      trigger = index;
    }
    state = next.state;
  });
  const final = state as unknown as IncidentState;
  const impact = worstImpact(row?.impact ?? null, drafts);
  const incidentId = row
    ? Number(row.id)
    : await insertIncident(tx, { tenantId: stream.tenantId, streamId: stream.id, state: final, now, impact });

  const ids: number[] = [];
  const events: AlertEvent[] = [];
  for (const [index, draft] of drafts.entries()) {
    const event: AlertEvent = {
      id: 0,
      tenantId: stream.tenantId,
      stream: stream.name,
      detector,
      severity: draft.severity,
      createdAt: now,
      title: draft.title,
      numbers: draft.numbers,
      window: draft.window,
      dashboardUrl: "",
      kind: draft.kind ?? detector,
      ...(draft.category ? { category: draft.category } : {}),
      ...(draft.impact ? { impact: draft.impact } : {}),
    };
    const [inserted] = await tx
      .insert(alerts)
      .values({
        tenantId: stream.tenantId,
        streamId: stream.id,
        detector,
        severity: draft.severity,
        category: draft.category ?? null,
        incidentId,
        createdAt: now,
        payload: {
          title: draft.title,
          numbers: draft.numbers,
          ...draft.details,
          kind: event.kind,
          ...(draft.impact ? { impact: draft.impact } : {}),
          window: { from: draft.window.from.toISOString(), to: draft.window.to.toISOString() },
          // Which notification this finding caused, if any: the rest attached silently.
          notified: index === trigger ? transition : null,
        },
      })
      .returning({ id: alerts.id });
    event.id = Number(inserted?.id);
    event.dashboardUrl = dashboardUrl(input.dashboardBaseUrl, event);
    ids.push(event.id);
    events.push(event);
  }

  const history: IncidentHistoryEntry[] = rises.map(({ index, severity }, i) => ({
    at: now.toISOString(),
    kind: i === 0 && !row ? "opened" : "escalated",
    severity,
    alertId: ids[index] as number,
  }));
  const updated = await updateIncident(tx, incidentId, { state: final, now, impact, history });
  if (transition !== null) {
    notifications.push(
      notificationOf(updated, stream.name, transition, {
        ...notify,
        previousSeverity: transition === "escalated" ? told : null,
        finding: events[trigger] ?? null,
      }),
    );
  }
  return { ids, incidentId, notifications };
}

function stateOf(row: NonNullable<Awaited<ReturnType<typeof activeIncident>>>): IncidentState {
  return {
    severity: row.severity,
    notifiedSeverity: row.notifiedSeverity,
    category: row.category,
    detectors: row.detectors,
    findingCount: row.findingCount,
    windowFrom: row.windowFrom,
    windowTo: row.windowTo,
  };
}

/** The largest predicted AUC drop so far. */
function worstImpact(current: FindingImpact | null, drafts: readonly AlertDraft[]): FindingImpact | null {
  let worst = current;
  for (const { impact } of drafts) {
    if (impact && (worst === null || impact.deltaAuc > worst.deltaAuc)) worst = impact;
  }
  return worst;
}
