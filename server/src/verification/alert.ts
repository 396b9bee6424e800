/**
 * @module
 * The `verification` alert of a run whose AUC fell below the configured minimum: one `alerts` row
 * (severity critical: the model no longer separates the labelled pairs as validated), written in
 * the run's transaction, with the cooldown decision (`alerts/rules.ts`) kept in
 * `streams.alert_state` under this detector's key, as the batch alert does (`batch/alert.ts`).
 * Alerts belong to a stream (`alerts.stream_id` is required), so only runs tied to one raise them.
 */
import type { VerificationMetrics } from "@facedrift/stats";
import { sql } from "drizzle-orm";
import { applyCooldown, type CooldownState, cooldownKey } from "../alerts/rules.ts";
import { type AlertEvent, type AlertNumbers, dashboardUrl } from "../alerts/types.ts";
import { queryRows, type Tx } from "../db/database.ts";
import { alerts } from "../db/schema/alert.ts";

export const DEFAULT_VERIFICATION_COOLDOWN_MS = 6 * 3_600_000;

export interface VerificationAlertInput {
  stream: { id: number; tenantId: number; name: string };
  runId: number;
  model: { id: string; version: string };
  auc: number;
  minAuc: number;
  eer: number;
  tarAtFar: VerificationMetrics["tarAtFar"];
  pairs: number;
  skipped: number;
  /** When the run embedded its images: the alert's time range. */
  window: { from: Date; to: Date };
  cooldownMs: number;
  dashboardBaseUrl: string;
}

/** Writes the alert row; returns its id and the event to dispatch (null when the cooldown holds it). */
export async function writeVerificationAlert(
  tx: Tx,
  input: VerificationAlertInput,
): Promise<{ id: number; event: AlertEvent | null }> {
  const { stream } = input;
  const key = cooldownKey({ tenantId: stream.tenantId, stream: stream.name, detector: "verification" });
  const [current] = await queryRows<{ entry: string | null; now: string }>(
    tx,
    sql`SELECT (alert_state->${key})::text AS entry,
          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now
        FROM streams WHERE id = ${stream.id} FOR NO KEY UPDATE`,
  );
  const createdAt = new Date(current?.now ?? Date.now());
  const state: CooldownState = current?.entry ? { [key]: JSON.parse(current.entry) } : {};
  const numbers: AlertNumbers = {
    auc: input.auc,
    extra: {
      "minimum AUC": input.minAuc,
      EER: input.eer,
      "TAR at FAR 0.1 %": input.tarAtFar["0.001"],
      "TAR at FAR 1 %": input.tarAtFar["0.01"],
      "pairs scored": input.pairs,
      "pairs skipped": input.skipped,
    },
  };
  const title =
    `Verification on ${stream.name}: AUC ${input.auc.toFixed(4)} < ${input.minAuc} ` +
    `(${input.model.id} ${input.model.version}, ${input.pairs} pairs)`;
  const event: AlertEvent = {
    id: 0,
    tenantId: stream.tenantId,
    stream: stream.name,
    detector: "verification",
    severity: "critical",
    createdAt,
    title,
    numbers,
    window: input.window,
    dashboardUrl: "",
  };
  const decision = applyCooldown(state, event, input.cooldownMs);
  const [row] = await tx
    .insert(alerts)
    .values({
      tenantId: stream.tenantId,
      streamId: stream.id,
      detector: "verification",
      severity: "critical",
      createdAt,
      payload: {
        title,
        numbers,
        verificationRunId: input.runId,
        model: input.model,
        auc: input.auc,
        minAuc: input.minAuc,
        eer: input.eer,
        tarAtFar: input.tarAtFar,
        window: { from: input.window.from.toISOString(), to: input.window.to.toISOString() },
        suppressedBefore: decision.suppressedBefore,
        // False when the cooldown suppressed it: recorded, not sent.
        sent: decision.send,
      },
    })
    .returning({ id: alerts.id });
  event.id = Number(row?.id);
  event.dashboardUrl = dashboardUrl(input.dashboardBaseUrl, event);
  await tx.execute(
    sql`UPDATE streams SET alert_state = alert_state || ${JSON.stringify({ [key]: decision.state[key] })}::jsonb
        WHERE id = ${stream.id}`,
  );
  return { id: event.id, event: decision.send ? event : null };
}
