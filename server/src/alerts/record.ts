/**
 * @module
 * Recording alerts, shared by every detector: inside the detector's own transaction, read the
 * stream's cooldown state for this detector (`streams.alert_state`, locked for the transaction),
 * decide each alert with `applyCooldown`, insert one `alerts` row per alert (suppressed ones are
 * recorded with `sent: false`), and merge back only this detector's key — the other detectors keep
 * their entries in the same column. Deciding inside the transaction means a replayed batch decides
 * again from the same state and a crash cannot lose a decision; dispatch happens after the commit.
 */
import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.ts";
import { type AlertDetector, type AlertSeverity, alerts } from "../db/schema/alert.ts";
import { applyCooldown, type CooldownState, cooldownKey } from "./rules.ts";
import {
  type AlertCategory,
  type AlertEvent,
  type AlertImpact,
  type AlertNumbers,
  dashboardUrl,
} from "./types.ts";

export interface AlertDraft {
  severity: AlertSeverity;
  title: string;
  numbers: AlertNumbers;
  window: { from: Date; to: Date };
  /** Detector-specific fields stored with the row (run id, reference version, …). */
  details: Record<string, unknown>;
  category?: AlertCategory;
  impact?: AlertImpact;
}

export interface RecordAlertsInput {
  stream: { id: number; tenantId: number; name: string };
  detector: AlertDetector;
  cooldownMs: number;
  dashboardBaseUrl: string;
}

/** Records the drafts in order; returns every row id and the events the cooldown lets through. */
export async function recordAlerts(
  tx: Tx,
  input: RecordAlertsInput,
  drafts: readonly AlertDraft[],
): Promise<{ ids: number[]; toSend: AlertEvent[] }> {
  if (drafts.length === 0) return { ids: [], toSend: [] };
  const { stream, detector } = input;
  const key = cooldownKey({ tenantId: stream.tenantId, stream: stream.name, detector });
  // The transaction's clock stamps every alert, and the cooldown reads that time.
  const [current] = await queryRows<{ entry: string | null; now: string }>(
    tx,
    sql`SELECT (alert_state->${key})::text AS entry,
          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now
        FROM streams WHERE id = ${stream.id} FOR NO KEY UPDATE`,
  );
  const createdAt = new Date(current?.now ?? Date.now());
  let state: CooldownState = current?.entry ? { [key]: JSON.parse(current.entry) } : {};
  const ids: number[] = [];
  const toSend: AlertEvent[] = [];
  for (const draft of drafts) {
    const event: AlertEvent = {
      id: 0,
      tenantId: stream.tenantId,
      stream: stream.name,
      detector,
      severity: draft.severity,
      createdAt,
      title: draft.title,
      numbers: draft.numbers,
      window: draft.window,
      dashboardUrl: "",
      ...(draft.category ? { category: draft.category } : {}),
      ...(draft.impact ? { impact: draft.impact } : {}),
    };
    const decision = applyCooldown(state, event, input.cooldownMs);
    state = decision.state;
    if (decision.suppressedBefore > 0) {
      event.numbers = {
        ...draft.numbers,
        extra: { ...draft.numbers.extra, "suppressed before": decision.suppressedBefore },
      };
    }
    const [row] = await tx
      .insert(alerts)
      .values({
        tenantId: stream.tenantId,
        streamId: stream.id,
        detector,
        severity: draft.severity,
        createdAt,
        payload: {
          title: draft.title,
          numbers: event.numbers,
          ...draft.details,
          ...(draft.category ? { category: draft.category } : {}),
          ...(draft.impact ? { impact: draft.impact } : {}),
          window: { from: draft.window.from.toISOString(), to: draft.window.to.toISOString() },
          suppressedBefore: decision.suppressedBefore,
          // False when the cooldown suppressed it: recorded, not sent.
          sent: decision.send,
        },
      })
      .returning({ id: alerts.id });
    event.id = Number(row?.id);
    event.dashboardUrl = dashboardUrl(input.dashboardBaseUrl, event);
    ids.push(event.id);
    if (decision.send) toSend.push(event);
  }
  await tx.execute(
    sql`UPDATE streams SET alert_state = alert_state || ${JSON.stringify({ [key]: state[key] })}::jsonb
        WHERE id = ${stream.id}`,
  );
  return { ids, toSend };
}
