/**
 * @module
 * The `stream` alerts of the streaming detector: one `alerts` row per drift event, written in the
 * batch's transaction, and the cooldown decision (`alerts/rules.ts`) committed with it in
 * `streams.alert_state`. Deciding inside the transaction means a replayed batch decides again
 * from the same state, and a crash cannot leave a row whose decision was lost; dispatching
 * happens after the commit (`worker.ts`), fire-and-forget.
 */
import { sql } from "drizzle-orm";
import { applyCooldown, type CooldownState, cooldownKey } from "../alerts/rules.ts";
import { type AlertEvent, type AlertNumbers, dashboardUrl } from "../alerts/types.ts";
import type { Tx } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { alerts } from "../db/schema/alert.ts";

export interface StreamAlertInput {
  stream: { id: number; tenantId: number; name: string };
  reference: { id: number; version: number };
  detections: {
    driftEventId: number;
    seq: number;
    score: number;
    meanBefore: number;
    meanAfter: number;
    widthBefore: number;
    widthAfter: number;
    /** Event times (ISO) of the window the alert is about. */
    window: { from: string; to: string };
  }[];
  cooldownMs: number;
  dashboardBaseUrl: string;
}

/** Inserts one alert row per detection, applies the cooldown, and returns the alerts to send. */
export async function writeStreamAlerts(tx: Tx, input: StreamAlertInput): Promise<AlertEvent[]> {
  if (input.detections.length === 0) return [];
  const { stream } = input;
  const key = cooldownKey({ tenantId: stream.tenantId, stream: stream.name, detector: "stream" });
  // The transaction's clock stamps every alert of the batch, and the cooldown reads that time.
  const [current] = await queryRows<{ entry: string | null; now: string }>(
    tx,
    sql`SELECT (alert_state->${key})::text AS entry,
          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now
        FROM streams WHERE id = ${stream.id}`,
  );
  const createdAt = new Date(current?.now ?? Date.now());
  let state: CooldownState = current?.entry ? { [key]: JSON.parse(current.entry) } : {};
  const toSend: AlertEvent[] = [];
  for (const d of input.detections) {
    const numbers: AlertNumbers = {
      pc1MeanBefore: d.meanBefore,
      pc1MeanAfter: d.meanAfter,
      extra: { "PC1 score": d.score, "window before": d.widthBefore, "window after": d.widthAfter },
    };
    const title = `PC1 of ${stream.name} shifted from ${d.meanBefore.toFixed(3)} to ${d.meanAfter.toFixed(3)} (ADWIN)`;
    const event: AlertEvent = {
      id: 0,
      tenantId: stream.tenantId,
      stream: stream.name,
      detector: "stream",
      severity: "warning",
      createdAt,
      title,
      numbers,
      window: { from: new Date(d.window.from), to: new Date(d.window.to) },
      dashboardUrl: "",
    };
    const decision = applyCooldown(state, event, input.cooldownMs);
    state = decision.state;
    if (decision.suppressedBefore > 0) {
      event.numbers = {
        ...numbers,
        extra: { ...numbers.extra, "suppressed before": decision.suppressedBefore },
      };
    }
    const [row] = await tx
      .insert(alerts)
      .values({
        tenantId: stream.tenantId,
        streamId: stream.id,
        detector: "stream",
        severity: "warning",
        createdAt,
        payload: {
          title,
          numbers: event.numbers,
          window: d.window,
          seq: d.seq,
          driftEventId: d.driftEventId,
          referenceSetId: input.reference.id,
          referenceVersion: input.reference.version,
          // False when the cooldown suppressed it: recorded, not sent.
          sent: decision.send,
        },
      })
      .returning({ id: alerts.id });
    event.id = Number(row?.id);
    event.dashboardUrl = dashboardUrl(input.dashboardBaseUrl, event);
    if (decision.send) toSend.push(event);
  }
  // Merge only this detector's key: the batch detector keeps its own entries in the same column.
  await tx.execute(
    sql`UPDATE streams SET alert_state = alert_state || ${JSON.stringify({ [key]: state[key] })}::jsonb
        WHERE id = ${stream.id}`,
  );
  return toSend;
}
